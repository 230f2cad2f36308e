"""How an agent reads on MyAgents, Detail and Update, in the newest and the older API shapes."""

from __future__ import annotations

import math

from .credentials import view_newest, view_older
from .ledger import PACKS, Ledger
from .timefmt import iso_z, unix_str
from .world import LIFECYCLE, SETUP_REQUIRED, Agent, World

TEMPLATE_GUID = "5f0c6a1e-2b7d-4c39-9e84-3a1d7b6c0f52"  # the Voice Receptionist template (agentguid)
SKILLS = ("int-twilio-channel", "util-voice-receptionist", "util-voice-call-prep", "int-wiro-aimodels", "int-hubspot")
TOKEN_RATES = {"currency": "credits", "per": 1_000_000, "models": [
    {"slug": "openai/gpt-5.6-sol", "input": 250, "output": 2000, "cacheRead": 25},
    {"slug": "openai/gpt-5.4", "input": 125, "output": 1000, "cacheRead": 12},
    {"slug": "openai/gpt-5.4-mini", "input": 25, "output": 200, "cacheRead": 3},
]}
TIER_MULTIPLIER = {"starter": 1, "pro": 2.5}


def _stamp(value: float | None) -> int | None:
    return None if value is None else int(value)


def _file_url(world: World):
    return world.files.public_url


def _subscription(agent: Agent, pool: Ledger, now: float, world: World) -> dict:
    status = "expired" if (agent.no_subscription or world.no_subscription) else agent.plan.status
    return {"plan": "agent", "status": status, "amount": agent.plan.monthlypriceusd, "currency": "usd",
            "currentperiodend": int(pool.period_end), "renewaldate": iso_z(pool.period_end),
            "daysremaining": max(0, math.ceil((pool.period_end - now) / 86400)), "pendingdowngrade": None,
            "provider": "prepaid"}


def _template(agent: Agent, *, detail: bool) -> dict:
    out = {"guid": TEMPLATE_GUID, "title": agent.agent_title, "slug": agent.agent_slug,
           "description": "Answers your phone line and web visitors with a realtime voice.",
           "cover": "https://cdn.wiro.ai/agents/voice-receptionist/cover.png", "categories": ["customer-support"],
           "tiermultiplier": TIER_MULTIPLIER.get(agent.plan.tier, 1), "tiers": ["starter", "pro"]}
    if detail:
        out["extracreditpacks"] = [{"pack": name, "credits": c, "priceusd": usd} for name, (c, usd) in PACKS.items()]
    return out


def row_newest(world: World, agent: Agent, pool: Ledger, now: float) -> dict:
    """A MyAgents row (newest): numbers for timestamps, credit fields, subscription; no credentials."""
    row = {
        "guid": agent.guid, "uuid": agent.uuid, "agentguid": TEMPLATE_GUID, "teamguid": agent.teamguid,
        "title": agent.title, "description": agent.description, "cover": agent.cover,
        "categories": list(agent.categories), "tier": agent.plan.tier,
        "tiermultiplier": TIER_MULTIPLIER.get(agent.plan.tier, 1), "monthlypriceusd": agent.plan.monthlypriceusd,
        "monthlycredits": pool.monthlycredits, "extracredits": pool.extracredits, "usedcredits": pool.usedcredits,
        "creditperiod": iso_z(pool.period_start)[:7], "creditsyncat": int(pool.syncat), "status": agent.status,
        "pinned": False, "teamsessionmode": "private",
        # On MyAgents a status check only; Detail also looks at the credential rows.
        "setuprequired": agent.status == SETUP_REQUIRED,
        "subscription": _subscription(agent, pool, now, world), "agent": _template(agent, detail=False),
        "enabledSkills": list(SKILLS), "tokenRates": TOKEN_RATES, "agentModel": dict(agent.models),
        "enabledCommands": None, "extracreditsexpiry": None,
        "createdat": int(agent.created), "updatedat": int(agent.updated),
    }
    row.update({name: _stamp(agent.stamps[name]) for name in LIFECYCLE})
    return row


def detail_newest(world: World, agent: Agent, pool: Ledger, now: float, *, for_update: bool = False) -> dict:
    """Detail (newest): the row plus top-level ``credentials`` and the rest; Update drops three fields."""
    item = row_newest(world, agent, pool, now)
    item["setuprequired"] = agent.status == SETUP_REQUIRED or not agent.setup_complete()
    item["agent"] = _template(agent, detail=True)
    item["credentials"] = {key: view_newest(key, group, _file_url(world), agent.connected_at.get(key))
                           for key, group in agent.credentials.items()}
    item["customskills"] = []
    item["scheduledskills"] = [{"name": "hubspot-hourly-sync", "interval": "hourly", "enabled": True}]
    item["skills"] = [{"name": s, "enabled": True, "_edited": False, "_user_created": False} for s in SKILLS]
    item["skillsmeta"] = {}
    item["remainingcredits"] = pool.remaining
    item["timezone"] = agent.timezone
    item["communicationChannels"] = ["twilio", "web"]
    item["enabledChannels"] = ["twilio"]
    if for_update:
        for name in ("subscription", "remainingcredits", "extracreditsexpiry"):
            item.pop(name)
    return item


def row_older(agent: Agent) -> dict:
    """A MyAgents row as the older docs showed it: ids, numeric-string timestamps, ``restartafter``."""
    return {
        "id": agent.id,
        "guid": agent.guid,
        "title": agent.title,
        "status": agent.status,
        "setuprequired": agent.status == SETUP_REQUIRED or not agent.setup_complete(),
        "restartafter": agent.restartafter,
        "agentid": 7,
        "agent": {"id": 7, "title": agent.agent_title, "slug": agent.agent_slug},
        "useruuid": agent.owner_uuid,
        "createdat": unix_str(agent.created),
        "updatedat": unix_str(agent.updated),
    }


def detail_older(world: World, agent: Agent) -> dict:
    """Detail (older): the row plus ``configuration.credentials`` (secrets masked)."""
    item = row_older(agent)
    item["configuration"] = {
        "credentials": {key: view_older(group, _file_url(world)) for key, group in agent.credentials.items()},
        "custom_skills": [],
        "skills": list(SKILLS),
        "timezone": agent.timezone,
    }
    return item

