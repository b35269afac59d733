"""A patient with a marker string in every kind of clinical text, written the
way the app writes it, for tests that look at what is stored on disk."""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import select

from nattlys.chat.models import Conversation, Message

MARKERS = {
    "chat": "MARKER-CHAT-kjenner-uro",
    "plan": "MARKER-PLAN-varsel-tegn",
    "plan_note": "MARKER-PLAN-NOTE-endring",
    "proposal": "MARKER-PROPOSAL-forslag",
    "proposal_note": "MARKER-PROPOSAL-NOTE",
    "checkin_note": "MARKER-CHECKIN-NOTE-tung-kveld",
    "handover": "MARKER-HANDOVER-trenger-ro",
}


def write_clinical_markers(factories: Any, auth: Any, db: Any, username: str = "marker") -> Any:
    """Mona-like patient `username` with a marker in chat, plan, proposal,
    check-in note, ticked warning sign and handover note. Returns the patient."""
    from nattlys.plans.models import CrisisPlanProposal, CrisisPlanVersion

    supporter = factories.supporter(f"{username}-stotte")
    patient = factories.patient(username)
    plan = factories.crisis_plan(patient, {"warning_signs": [MARKERS["plan"]]})
    version = db.exec(select(CrisisPlanVersion).where(CrisisPlanVersion.plan_id == plan.id)).one()
    version.note = MARKERS["plan_note"]
    proposal = factories.crisis_proposal(plan, supporter, {"self_help": [MARKERS["proposal"]]})
    db.get(CrisisPlanProposal, proposal.id).note = MARKERS["proposal_note"]
    db.commit()

    client = auth.client_for(username)
    sent = client.post("/api/chat/messages", json={"client_id": uuid.uuid4().hex, "body": MARKERS["chat"]})
    assert sent.status_code in (200, 201), sent.json
    checkin = {
        "idempotency_key": uuid.uuid4().hex,
        "pressure": 3,
        "mood": 4,
        "sleep": "good",
        "warning_signs": [0],
        "self_harm_urge": "none",
        "suicidal_thoughts": "none",
        "wants_contact": False,
        "note": MARKERS["checkin_note"],
    }
    done = client.post("/api/checkins", json=checkin)
    assert done.status_code == 201, done.json
    assert done.json["checkin"]["warning_signs"] == [MARKERS["plan"]]
    conv = db.exec(select(Conversation).where(Conversation.patient_id == patient.id)).one()
    conv.handover_note = MARKERS["handover"]
    db.commit()
    assert db.exec(select(Message).where(Message.conversation_id == conv.id)).one().body == MARKERS["chat"]
    db.commit()
    return patient
