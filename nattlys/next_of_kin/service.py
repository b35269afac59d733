"""Next of kin, only with the patient's consent: she invites them, chooses what
they may see and do, and withdraws it with immediate effect. Their reads are
audited under her name so "who has seen my data" shows them; their "I am
worried" is an alert to whoever is on duty for her (nattlys/alerts), never her chat."""

from __future__ import annotations

import re
import secrets
import unicodedata
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from nattlys import access
from nattlys.accounts import invitations
from nattlys.accounts.models import Role, User
from nattlys.accounts.sessions import end_all_sessions
from nattlys.alerts import escalation
from nattlys.api.errors import ApiError, not_found
from nattlys.audit import writer as audit
from nattlys.checkins.models import CheckinAlert
from nattlys.checkins.schemas import EMERGENCY_NUMBERS
from nattlys.next_of_kin.models import NextOfKinConsent, WorrySignal
from nattlys.next_of_kin.schemas import (
    ConsentIn,
    ConsentPublic,
    Invited,
    InviteIn,
    KinHome,
    KinPatient,
    KinPlan,
    PhoneNumber,
    WorrySent,
    WorryStatus,
)
from nattlys.plans import service as plans
from nattlys.plans.schemas import SECTION_KEYS, SectionsView
from nattlys.push import service as push
from nattlys.realtime.connections import notify_on_commit

MAX_NEXT_OF_KIN = 5
WORRIES_PER_DAY = 3
ACCESS_ENDED_EVENT = "kin:access_ended"
KIN_HOME_URL = "/#/parorende-hjem"


# --- the patient's side -------------------------------------------------------------------


def _username_for(db: Session, display_name: str) -> str:
    """A login name from the person's name (ASCII, lower case) and four digits."""
    ascii_name = unicodedata.normalize("NFKD", display_name.replace("ø", "o").replace("æ", "ae"))
    slug = re.sub(r"[^a-z0-9]+", ".", ascii_name.encode("ascii", "ignore").decode().lower()).strip(".")
    slug = slug[:24].strip(".") or "parorende"
    while True:
        candidate = f"{slug}-{secrets.randbelow(10_000):04d}"
        if db.exec(select(User.id).where(User.username == candidate)).first() is None:
            return candidate


def public(db: Session, consent: NextOfKinConsent) -> ConsentPublic:
    kin = db.get(User, consent.next_of_kin_id)
    return ConsentPublic(
        id=consent.id,
        next_of_kin_id=consent.next_of_kin_id,
        display_name=kin.display_name if kin else "",
        joined=bool(kin and kin.has_password),
        sections=list(consent.sections),
        notify_on_red=consent.notify_on_red,
        may_signal_worry=consent.may_signal_worry,
        created_at=consent.created_at,
        changed_at=consent.changed_at,
        withdrawn_at=consent.withdrawn_at,
    )


def _active(db: Session, patient_id: int) -> list[NextOfKinConsent]:
    return list(
        db.exec(
            select(NextOfKinConsent)
            .where(NextOfKinConsent.patient_id == patient_id, col(NextOfKinConsent.withdrawn_at).is_(None))
            .order_by(col(NextOfKinConsent.id))
        ).all()
    )


def _record(db: Session, actor: User | None, action: str, consent: NextOfKinConsent, **kw: Any) -> None:
    audit.record(
        db,
        actor=actor,
        action=action,
        object_type="next_of_kin_consent",
        object_id=consent.id,
        patient_id=consent.patient_id,
        **kw,
    )


def _consent_details(consent: NextOfKinConsent) -> dict[str, Any]:
    return {
        "sections_shared": list(consent.sections),
        "notify_on_red": "yes" if consent.notify_on_red else "no",
        "may_signal_worry": "yes" if consent.may_signal_worry else "no",
    }


def invite(db: Session, *, patient: User, data: InviteIn, at: datetime) -> Invited:
    """A new next of kin account, her consent, and the link with which they
    choose a password (the invitation mechanism staff and patients use)."""
    if len(_active(db, patient.id)) >= MAX_NEXT_OF_KIN:
        raise ApiError(409, "too_many_next_of_kin", f"You can include at most {MAX_NEXT_OF_KIN} next of kin.")
    kin = User(
        username=_username_for(db, data.display_name),
        display_name=data.display_name,
        role=Role.next_of_kin,
        created_at=at,
    )
    db.add(kin)
    db.flush()
    consent = NextOfKinConsent(
        patient_id=patient.id,
        next_of_kin_id=kin.id,
        sections=[str(s) for s in data.sections],
        notify_on_red=data.notify_on_red,
        may_signal_worry=data.may_signal_worry,
        created_at=at,
    )
    db.add(consent)
    db.flush()
    _record(db, patient, "next_of_kin.invite", consent, details=_consent_details(consent))
    token, invitation = invitations.issue(db, user=kin, created_by=patient, at=at)
    return Invited(consent=public(db, consent), invitation=invitations.issued(token, invitation))


def list_for(db: Session, *, patient: User) -> list[ConsentPublic]:
    return [public(db, c) for c in _active(db, patient.id)]


def _her_consent(db: Session, patient: User, consent_id: int) -> NextOfKinConsent:
    consent = db.exec(
        select(NextOfKinConsent).where(NextOfKinConsent.id == consent_id).with_for_update()
    ).first()
    if consent is None or consent.patient_id != patient.id or consent.withdrawn_at is not None:
        raise not_found("No such next of kin.")
    return consent


def change(db: Session, *, patient: User, consent_id: int, data: ConsentIn, at: datetime) -> ConsentPublic:
    consent = _her_consent(db, patient, consent_id)
    consent.sections = [str(s) for s in data.sections]
    consent.notify_on_red = data.notify_on_red
    consent.may_signal_worry = data.may_signal_worry
    consent.changed_at = at
    db.add(consent)
    _record(db, patient, "next_of_kin.change", consent, details=_consent_details(consent))
    return public(db, consent)


def withdraw(db: Session, *, patient: User, consent_id: int, at: datetime) -> ConsentPublic:
    consent = _her_consent(db, patient, consent_id)
    _end(db, consent, actor=patient, at=at)
    return public(db, consent)


def end_all(db: Session, *, patient_id: int, at: datetime) -> None:
    """Every consent she gave ends, by the server, as her account is erased."""
    for consent in _active(db, patient_id):
        _end(db, consent, actor=None, at=at)


def _end(db: Session, consent: NextOfKinConsent, *, actor: User | None, at: datetime) -> None:
    """At once: every later request of theirs about her is refused (nattlys/access.py),
    their open screens are told, and an account left with no consent is closed
    with its sessions and sockets (its unused invitation stops working too)."""
    consent.withdrawn_at = at
    db.add(consent)
    db.flush()
    _record(db, actor, "next_of_kin.withdraw", consent, by_system=actor is None)
    kin_id = consent.next_of_kin_id
    notify_on_commit(ACCESS_ENDED_EVENT, {"patient_id": consent.patient_id}, [kin_id])
    still_included = db.exec(
        select(NextOfKinConsent.id).where(
            NextOfKinConsent.next_of_kin_id == kin_id, col(NextOfKinConsent.withdrawn_at).is_(None)
        )
    ).first()
    kin = db.get(User, kin_id)
    if still_included is None and kin is not None:
        kin.is_active = False
        db.add(kin)
        end_all_sessions(db, user_id=kin_id, at=at)


# --- the next of kin's side ---------------------------------------------------------------


def _worry_status(db: Session, alert: CheckinAlert, at: datetime) -> WorryStatus:
    told = escalation.status_of(db, alert, at=at)
    return WorryStatus(
        status=told.status,
        team_kind=told.team_kind,
        acknowledged_team_kind=told.acknowledged_team_kind,
        next_on_duty_at=told.reachability.next_on_duty_at if told.reachability else None,
        at=alert.at,
    )


def _open_worry(db: Session, consent_id: int) -> CheckinAlert | None:
    return db.exec(
        select(CheckinAlert)
        .join(WorrySignal, col(WorrySignal.alert_id) == col(CheckinAlert.id))
        .where(WorrySignal.consent_id == consent_id, col(CheckinAlert.state).in_(escalation.OPEN_STATES))
        .order_by(col(CheckinAlert.id).desc())
    ).first()


def home(db: Session, *, kin: User, at: datetime) -> KinHome:
    """The patients who include this next of kin now; each one's name read is audited."""
    rows = db.exec(
        select(NextOfKinConsent, User)
        .join(User, col(User.id) == col(NextOfKinConsent.patient_id))
        .where(
            NextOfKinConsent.next_of_kin_id == kin.id,
            col(NextOfKinConsent.withdrawn_at).is_(None),
            col(User.is_active).is_(True),
        )
        .order_by(col(User.display_name))
    ).all()
    out = []
    for consent, patient in rows:
        _record(db, kin, "next_of_kin.home", consent)
        alert = _open_worry(db, consent.id) if consent.may_signal_worry else None
        out.append(
            KinPatient(
                patient_id=patient.id,
                patient_name=patient.display_name,
                may_signal_worry=consent.may_signal_worry,
                open_worry=_worry_status(db, alert, at) if alert else None,
            )
        )
    return KinHome(patients=out)


def _phone_numbers(sections: SectionsView) -> list[PhoneNumber]:
    numbers = [
        PhoneNumber(name=c.name, phone=c.phone, section="contacts")
        for c in sections.contacts or []
        if c.phone
    ]
    numbers += [
        PhoneNumber(name=p.name or p.service, phone=p.phone, section="professionals")
        for p in sections.professionals or []
        if p.phone
    ]
    return numbers


def read_plan(db: Session, *, kin: User, patient: User) -> KinPlan:
    """The sections her consent shares, with their phone numbers to tap. Call
    after access.require_patient(db, kin, patient.id, Need.kin_plan)."""
    plan = plans.find_plan(db, patient.id)
    content = plans.current_content(db, plan) if plan and plan.current_version else plans.empty_content()
    keys = access.kin_visible_sections(db, kin, patient.id, list(SECTION_KEYS))
    sections = SectionsView.model_validate({k: content[k] for k in keys})
    consent = access.active_consent(db, next_of_kin_id=kin.id, patient_id=patient.id)
    assert consent is not None  # require_patient checked it in this transaction
    _record(
        db,
        kin,
        "next_of_kin.plan_read",
        consent,
        details={"version": plan.current_version if plan else 0, "sections_shown": keys},
    )
    return KinPlan(
        patient_id=patient.id,
        patient_name=patient.display_name,
        visible_sections=keys,
        sections=sections,
        phone_numbers=_phone_numbers(sections),
        emergency_numbers=[n.phone for n in EMERGENCY_NUMBERS],  # every screen, whatever is shared
        may_signal_worry=consent.may_signal_worry,
    )


def signal_worry(db: Session, *, kin: User, patient: User, at: datetime) -> WorrySent:
    """ "I am worried about her tonight": an alert routed like a red check-in to
    whoever is on duty for her. One waiting at a time, three a day. Call after
    access.require_patient(db, kin, patient.id, Need.kin_worry)."""
    consent = db.exec(
        select(NextOfKinConsent)
        .where(
            NextOfKinConsent.patient_id == patient.id,
            NextOfKinConsent.next_of_kin_id == kin.id,
            col(NextOfKinConsent.withdrawn_at).is_(None),
        )
        .with_for_update()
    ).first()
    if consent is None:
        raise not_found("No such next of kin.")
    if _open_worry(db, consent.id) is not None:
        raise ApiError(
            409, "worry_open", "Your message is still with the people on duty; they have not answered yet."
        )
    sent_today = db.exec(
        select(func.count())
        .select_from(WorrySignal)
        .where(WorrySignal.consent_id == consent.id, col(WorrySignal.at) > at - timedelta(days=1))
    ).one()
    if sent_today >= WORRIES_PER_DAY:
        raise ApiError(
            429,
            "worry_limit",
            f"You can send this at most {WORRIES_PER_DAY} times a day. Call 113 if it is urgent.",
        )
    alert = escalation.raise_alert(db, patient=patient, reason=escalation.WORRY, at=at)
    db.add(WorrySignal(consent_id=consent.id, alert_id=alert.id, at=at))
    _record(db, kin, "next_of_kin.worry", consent)
    status = _worry_status(db, alert, at)
    return WorrySent(**status.model_dump(), left_today=WORRIES_PER_DAY - sent_today - 1)


def tell_about_red(patient: User, *, db: Session) -> None:
    """After her red check-in: a push to the next of kin she asked to be told,
    with no health content ("can you get in touch tonight?")."""
    consents = [c for c in _active(db, patient.id) if c.notify_on_red]
    if not consents:
        return
    push.queue(
        [c.next_of_kin_id for c in consents],
        push.PushMessage(
            title="kin_get_in_touch", tag=f"kin-{patient.id}", url=KIN_HOME_URL, ttl=6 * 60 * 60
        ),
    )
    for consent in consents:
        _record(db, None, "next_of_kin.notify", consent, by_system=True)
