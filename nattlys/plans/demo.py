"""Demo crisis plans for pasient1..pasient5, in the patients' own words.

Phone numbers are made up (+47 400 00 0xx). The national numbers (116 117,
116 123) are real. Each patient chose differently what to share.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from nattlys import clock
from nattlys.accounts.models import User
from nattlys.plans.models import CrisisPlan, CrisisPlanProposal, CrisisPlanVersion, VersionKind
from nattlys.plans.schemas import ALL_KINDS, DEFAULT_SHARING, PlanSections, SectionsPatch
from nattlys.plans.service import find_plan

LEGEVAKT = {"name": "", "service": "Legevakten", "phone": "116 117", "hours": "Hele døgnet"}
MENTAL_HELSE = {
    "name": "",
    "service": "Mental Helse hjelpetelefonen",
    "phone": "116 123",
    "hours": "Hele døgnet",
}

MONA: dict[str, Any] = {
    "warning_signs": [
        "Jeg blir urolig og går frem og tilbake",
        "Jeg slutter å svare på telefonen",
        "Jeg sover dårlig flere netter på rad",
        "Jeg trekker meg unna de andre i boligen",
        "Tankene går i ring om kvelden",
    ],
    "self_help": [
        "Ta en varm dusj",
        "Holde en isbit i hånden til det roer seg",
        "Høre på lydbok med hodetelefoner",
        "Skrive ned tankene i notatboka",
        "Ringe Kari i boligen før det blir for mye",
    ],
    "people_places": ["Søsteren min Lene", "Biblioteket på Kleppestø", "Benken ved båthavna"],
    "contacts": [
        {"name": "Lene", "relation": "søster", "phone": "+47 400 00 001"},
        {"name": "Kari", "relation": "Bolig Askøy", "phone": "+47 400 00 002"},
    ],
    "professionals": [
        {"name": "Silje", "service": "Øyane DPS akutteam", "phone": "+47 400 00 010", "hours": "Hele døgnet"},
        {
            "name": "Ingrid",
            "service": "Psykisk helse Askøy kommune",
            "phone": "+47 400 00 011",
            "hours": "Hver dag 15.30–23",
        },
        LEGEVAKT,
    ],
    "safe_surroundings": (
        "Kari og jeg har avtalt at jeg leverer barberbladene til personalet når jeg merker at uroen "
        "kommer. Medisinene mine ligger i låst skap i boligen."
    ),
    "reasons_to_live": ["Katten min, Pus", "Lene og barna hennes", "Jeg vil se sjøen om våren igjen"],
    "meeting": {
        "wants": (
            "Snakk rolig med meg, og sett deg ned. Si navnet mitt. Spør hva som har skjedd i dag, og hør "
            "på svaret. Det hjelper å gå ut en tur sammen med meg."
        ),
        "does_not_help": (
            "Å bli snakket over hodet på. At noen sier at jeg bare vil ha oppmerksomhet. "
            "Mange spørsmål på en gang."
        ),
    },
    "alternatives_to_admission": (
        "Å sove en natt på avlastningsrommet i boligen. At noen fra boligen ringer meg sent på kvelden. "
        "En samtale med akutteamet neste morgen."
    ),
    "self_referral": {
        "has_agreement": True,
        "with_whom": "Øyane DPS, døgnenheten",
        "how_to_ask": "Jeg ringer døgnenheten selv og sier at jeg vil bruke avtalen min.",
        "max_days": 3,
    },
    "who_does_what": [
        {
            "role": "bolig",
            "who": "Kari, eller den som er på vakt",
            "does": "Kommer innom meg om kvelden når jeg ber om det, og ringer meg før de går hjem.",
        },
        {
            "role": "kommune",
            "who": "Ingrid",
            "does": "Har samtale med meg hver tirsdag og hjelper meg med avtaler.",
        },
        {
            "role": "dps",
            "who": "Akutteamet",
            "does": "Kan komme hjem til meg, eller snakke med meg på telefon om natten.",
        },
        {
            "role": "legevakt",
            "who": "",
            "does": "Leser denne planen før de bestemmer om jeg skal legges inn.",
        },
        {"role": "next_of_kin", "who": "Lene", "does": "Kan hente meg og la meg sove hos seg en natt."},
    ],
}

PER: dict[str, Any] = {
    "warning_signs": [
        "Jeg hører flere lyder enn vanlig",
        "Jeg spiser lite og glemmer å lage mat",
        "Jeg blir mistenksom mot naboene",
        "Jeg drikker mer enn jeg pleier",
    ],
    "self_help": [
        "Spille gitar",
        "Gå på butikken og kjøpe noe godt",
        "Se fotball med Ola i fellesstua",
        "Ta kveldsmedisinen til vanlig tid",
    ],
    "people_places": ["Fellesstua i boligen", "Fotballbanen på Strusshamn"],
    "contacts": [
        {"name": "Ola", "relation": "Bolig Askøy", "phone": "+47 400 00 003"},
        {"name": "Mamma", "relation": "mor", "phone": "+47 400 00 004"},
    ],
    "professionals": [
        {
            "name": "",
            "service": "Fastlegen, Kleppestø legesenter",
            "phone": "+47 400 00 012",
            "hours": "Hverdager 8–15",
        },
        LEGEVAKT,
    ],
    "safe_surroundings": "Jeg lar være å kjøpe øl når jeg merker at jeg er urolig.",
    "reasons_to_live": ["Gitaren", "Hunden til mamma", "Jeg vil ta lappen"],
    "meeting": {
        "wants": "Vær ærlig og si rett ut hva du tenker. Gi meg litt tid til å svare.",
        "does_not_help": "Å bli tatt på uten at jeg vet det på forhånd. Mange folk i rommet samtidig.",
    },
    "alternatives_to_admission": (
        "At Ola eller en annen fra boligen sitter hos meg en stund. At jeg får time hos DPS dagen etter."
    ),
    "who_does_what": [
        {"role": "bolig", "who": "Ola", "does": "Sjekker at jeg har spist og tatt kveldsmedisinen."},
        {"role": "dps", "who": "", "does": "Ringer meg dagen etter at jeg har vært på legevakten."},
    ],
}

ANNE: dict[str, Any] = {
    "warning_signs": [
        "Jeg blir liggende i senga hele dagen",
        "Jeg tenker at alle har det bedre uten meg",
        "Jeg slutter å åpne posten",
    ],
    "self_help": [
        "Ringe Mental Helse på 116 123 og bare snakke",
        "Legge puslespill",
        "Sitte i bilen og høre på radio",
        "Lage en kopp te og sette meg på verandaen",
    ],
    "people_places": ["Kirken på Strusshamn, der er det stille", "Venninnen min Berit"],
    "contacts": [{"name": "Berit", "relation": "venninne", "phone": "+47 400 00 005"}],
    "professionals": [
        {"name": "Silje", "service": "Øyane DPS", "phone": "+47 400 00 013", "hours": "Hverdager 8–15.30"},
        MENTAL_HELSE,
    ],
    "safe_surroundings": "Jeg har levert fra meg tablettene jeg hadde spart på. Berit har nøkkel til leiligheten.",
    "reasons_to_live": ["Barnebarnet mitt, Emma", "Hagen min"],
    "meeting": {
        "wants": (
            "Ikke gi meg opp selv om jeg er stille. Sitt hos meg. Spør meg rett ut om jeg tenker på å ta "
            "livet mitt, da blir det lettere å snakke om det."
        ),
        "does_not_help": "Å høre at andre har det verre. At noen kommer i uniform.",
    },
    "alternatives_to_admission": "En natt på kommunens akuttplass. En samtale med DPS neste dag.",
    "self_referral": {
        "has_agreement": True,
        "with_whom": "Øyane DPS, døgnenheten",
        "how_to_ask": "Ringe sentralbordet og be om å få snakke med døgnenheten.",
        "max_days": 5,
    },
    "who_does_what": [
        {"role": "kommune", "who": "", "does": "Kommer på hjemmebesøk to ganger i uka."},
        {"role": "dps", "who": "Silje", "does": "Er behandleren min og går gjennom planen sammen med meg."},
        {"role": "next_of_kin", "who": "Berit", "does": "Kan være hos meg en kveld."},
    ],
}

TOR: dict[str, Any] = {
    "warning_signs": ["Jeg blir sint for små ting", "Jeg slutter å gå ut", "Jeg får lyst til å ruse meg"],
    "self_help": ["Trene på treningssenteret", "Gå på NA-møte", "Fiske fra brygga"],
    "people_places": ["Brygga på Kleppestø", "Treningssenteret"],
    "contacts": [{"name": "Jon", "relation": "bror", "phone": "+47 400 00 006"}],
    "professionals": [
        {
            "name": "Lars",
            "service": "Psykisk helse Askøy kommune",
            "phone": "+47 400 00 014",
            "hours": "Hver dag 15.30–23",
        },
    ],
    "reasons_to_live": ["Datteren min", "Jeg har vært rusfri i fire måneder"],
    "meeting": {
        "wants": "Snakk til meg som en voksen mann. Fortell meg hva som skal skje.",
        "does_not_help": "Å bli holdt fast. Å bli truet med politiet.",
    },
    "alternatives_to_admission": "Å ringe Lars og få snakke en halvtime.",
    "who_does_what": [
        {"role": "kommune", "who": "Lars", "does": "Ringer meg hver fredag kveld."},
        {"role": "legevakt", "who": "", "does": "Ringer kommunen før de sender meg videre."},
    ],
}

HANNE: dict[str, Any] = {
    "warning_signs": [
        "Jeg får vondt i magen og klarer ikke å spise",
        "Jeg sender mange meldinger sent på kvelden",
        "Jeg kjenner meg tom",
    ],
    "self_help": [
        "Strikke",
        "Legge meg under vektdyna",
        "Se på bildene fra turen til Bergen",
        "Ringe Kari på vakttelefonen",
    ],
    "people_places": ["Dagsenteret", "Huset til mormor på Florvåg"],
    "contacts": [
        {"name": "Kari", "relation": "Bolig Askøy", "phone": "+47 400 00 002"},
        {"name": "Mormor", "relation": "mormor", "phone": "+47 400 00 007"},
    ],
    "professionals": [MENTAL_HELSE, LEGEVAKT],
    "safe_surroundings": "Jeg har ikke alkohol hjemme.",
    "reasons_to_live": ["Mormor", "Strikkeklubben på torsdager"],
    "meeting": {
        "wants": "Bruk en rolig stemme. Si at det går over. Hjelp meg å puste sakte.",
        "does_not_help": "Når folk blir stresset og snakker fort.",
    },
    "alternatives_to_admission": "Sove hos mormor. Få besøk fra boligen om kvelden.",
    "who_does_what": [
        {"role": "bolig", "who": "Kari", "does": "Er kontaktpersonen min og hjelper meg med planen."},
        {"role": "dps", "who": "Akutteamet", "does": "Kan ringes hele døgnet."},
    ],
}

EVA: dict[str, Any] = {
    "warning_signs": ["Jeg blir liggende på sofaen hele dagen", "Jeg svarer ikke når noen ringer"],
    "self_help": ["Dusje og ta på rene klær", "Høre på radio", "Gå ned til postkassen"],
    "professionals": [MENTAL_HELSE, LEGEVAKT],
    "reasons_to_live": ["Katten min, Pus"],
    "meeting": {"wants": "Sett deg ned og ha god tid.", "does_not_help": "Mange spørsmål på en gang."},
}

JON: dict[str, Any] = {
    "warning_signs": ["Jeg sover ikke på flere netter", "Jeg hører stemmer som kommenterer meg"],
    "self_help": ["Ta medisinen til samme tid hver kveld", "Gå en tur med hodetelefoner"],
    "professionals": [MENTAL_HELSE, LEGEVAKT],
    "reasons_to_live": ["Jobben på verkstedet"],
    "meeting": {"wants": "Si hvem du er og hva du skal gjøre.", "does_not_help": "Å bli snakket om."},
}

# Eva's bolig supporter has suggested a change she has not answered yet.
EVA_PROPOSAL = {"self_help": [*EVA["self_help"], "Ringe boligen før det blir for vanskelig"]}

_NONE: list[str] = []
_ALL = list(ALL_KINDS)
_KOMMUNE_DPS = ["kommune", "dps"]

# Differences from DEFAULT_SHARING, per patient.
SHARING: dict[str, dict[str, list[str]]] = {
    # Mona shares with the housing staff only how to meet her, her warning
    # signs and what she does herself; the rest goes to kommune and DPS.
    "pasient1": {
        "professionals": _KOMMUNE_DPS,
        "safe_surroundings": _KOMMUNE_DPS,
        "alternatives_to_admission": _KOMMUNE_DPS,
        "self_referral": ["dps"],
        "who_does_what": _KOMMUNE_DPS,
    },
    # Per lets the housing staff see his contacts too.
    "pasient2": {"contacts": ["bolig"]},
    # Anne shares nothing with the housing staff and most with her DPS.
    "pasient3": {
        **{key: ["dps"] for key in DEFAULT_SHARING},
        "warning_signs": _KOMMUNE_DPS,
        "meeting": _KOMMUNE_DPS,
        "people_places": _NONE,
        "reasons_to_live": _NONE,
    },
    # Tor shares his reasons to live with his municipal contact.
    "pasient4": {"reasons_to_live": ["kommune"]},
    # Hanne shares everything with everyone.
    "pasient5": {key: _ALL for key in DEFAULT_SHARING},
}
PLANS = {
    "pasient1": MONA,
    "pasient2": PER,
    "pasient3": ANNE,
    "pasient4": TOR,
    "pasient5": HANNE,
    "pasient6": EVA,
    "pasient7": JON,
}
OFFLINE_OFF = {"pasient3"}  # Anne does not want the plan stored on her phone


def _add_version(
    db: Session, plan: CrisisPlan, patient: User, number: int, content: dict[str, Any], days_ago: int
) -> None:
    db.add(
        CrisisPlanVersion(
            plan_id=plan.id,
            number=number,
            content=PlanSections.model_validate(content).model_dump(mode="json"),
            kind=VersionKind.edit,
            author_id=patient.id,
            author_role=patient.role,
            created_at=clock.now() - timedelta(days=days_ago),
        )
    )
    plan.current_version = number


def ensure_demo_plan(db: Session, patient: User) -> None:
    """Create the patient's demo plan, unless they already have a plan."""
    content = PLANS.get(patient.username)
    if content is None or find_plan(db, patient.id) is not None:
        return
    sharing = {k: v for k, v in SHARING.get(patient.username, {}).items() if v != DEFAULT_SHARING[k]}
    plan = CrisisPlan(
        patient_id=patient.id,
        sharing=sharing,
        offline_enabled=patient.username not in OFFLINE_OFF,
        created_at=clock.now() - timedelta(days=14),
    )
    db.add(plan)
    db.flush()
    if patient.username == "pasient1":
        # Mona has two versions, so the demo shows a change: she added the walk by the sea.
        _add_version(db, plan, patient, 1, MONA, days_ago=14)
        later = {**MONA, "self_help": ["Gå en tur langs sjøen", *MONA["self_help"]]}
        _add_version(db, plan, patient, 2, later, days_ago=2)
    else:
        _add_version(db, plan, patient, 1, content, days_ago=7)
    db.add(plan)
    db.flush()


def ensure_demo_proposal(db: Session, patient: User, supporter: User) -> None:
    """Eva's pending proposal from her bolig supporter, unless her plan has had one."""
    plan = find_plan(db, patient.id)
    if (
        plan is None
        or db.exec(select(CrisisPlanProposal.id).where(CrisisPlanProposal.plan_id == plan.id)).first()
    ):
        return
    db.add(
        CrisisPlanProposal(
            plan_id=plan.id,
            author_id=supporter.id,
            base_version=plan.current_version,
            changes=SectionsPatch.model_validate(EVA_PROPOSAL).changes(),
            note="Som vi snakket om i dag.",
            created_at=clock.now() - timedelta(hours=3),
        )
    )
    db.flush()
