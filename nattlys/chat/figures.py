"""The chat's cluster-wide figures for /metrics, read from the database at
scrape time: who waits for an answer and for how long, and the routing
decisions (escalations among them). States and actions only, never who."""

from __future__ import annotations

from datetime import datetime

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from sqlmodel import Session, col, func, select

from nattlys.chat.models import Conversation, ConversationState, RoutingDecision

WAITING = (ConversationState.offered, ConversationState.unstaffed)


def metrics(db: Session, at: datetime) -> list[Metric]:
    waiting_rows = db.exec(
        select(Conversation.state, func.count(), func.min(Conversation.waiting_since))
        .where(col(Conversation.state).in_(WAITING))
        .group_by(Conversation.state)
    ).all()
    decision_rows = db.exec(
        select(RoutingDecision.action, func.count()).group_by(RoutingDecision.action)
    ).all()

    waiting = GaugeMetricFamily(
        "nattlys_chat_conversations_waiting",
        "Conversations where the patient waits for a supporter (cluster-wide).",
        labels=["state"],
    )
    oldest = GaugeMetricFamily(
        "nattlys_chat_wait_seconds_max",
        "How long the longest-waiting patient has waited for an answer (cluster-wide).",
    )
    counts = {state.value: 0 for state in WAITING}
    longest = 0.0
    for state, count, since in waiting_rows:
        counts[ConversationState(state).value] = count
        if since is not None:
            longest = max(longest, (at - since).total_seconds())
    for state, count in counts.items():
        waiting.add_metric([state], count)
    oldest.add_metric([], max(0.0, longest))

    decisions = CounterMetricFamily(
        "nattlys_chat_routing_decisions",
        "Routing decisions by action, escalations included (cluster-wide, from the database).",
        labels=["action"],
    )
    escalations = CounterMetricFamily(
        "nattlys_chat_escalations",
        "Conversations escalated to the next tier because nobody took them in time (cluster-wide).",
    )
    escalated = 0
    for action, count in decision_rows:
        decisions.add_metric([action], count)
        if action == "escalate":
            escalated = count
    escalations.add_metric([], escalated)
    return [waiting, oldest, decisions, escalations]
