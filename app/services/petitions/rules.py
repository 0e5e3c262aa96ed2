"""Allow and block lists of addresses (IP or network) and email domains; the most specific rule wins.

An allowed address (a library's public computers, a council office) is exempt from per-address
rate limits; a blocked address or email domain has its signatures silently dropped, and the
signer sees exactly the same page as everyone else, so the block teaches an abuser nothing.
An allowed domain carves an exception out of a blocked parent domain.
"""

import ipaddress
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import InvalidInput, NotFound
from app.i18n import _
from app.models.petition import PetitionAddressRule, RuleAction, RuleKind
from app.services import audit

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Verdict:
    blocked: bool
    rate_limit_exempt: bool


@dataclass(frozen=True)
class RuleSet:
    networks: tuple[tuple[Network, RuleAction], ...] = ()
    domains: tuple[tuple[str, RuleAction], ...] = ()

    def judge(self, ip: str | None, domain: str) -> Verdict:
        address_action = self._address_action(ip)
        domain_action = self._domain_action(domain)
        blocked = RuleAction.BLOCK in (address_action, domain_action)
        return Verdict(blocked=blocked, rate_limit_exempt=address_action == RuleAction.ALLOW)

    def _address_action(self, ip: str | None) -> RuleAction | None:
        if not ip or not self.networks:
            return None
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return None
        matches = [
            (net.prefixlen, action)
            for net, action in self.networks
            if net.version == address.version and address in net
        ]
        return max(matches, key=lambda m: m[0])[1] if matches else None

    def _domain_action(self, domain: str) -> RuleAction | None:
        matches = [
            (len(value), action)
            for value, action in self.domains
            if domain == value or domain.endswith("." + value)
        ]
        return max(matches, key=lambda m: m[0])[1] if matches else None


def load_rules(db: Session) -> RuleSet:
    networks, domains = [], []
    for rule in db.scalars(select(PetitionAddressRule)):
        if rule.kind == RuleKind.ADDRESS:
            networks.append((ipaddress.ip_network(rule.value, strict=False), rule.action))
        else:
            domains.append((rule.value, rule.action))
    return RuleSet(tuple(networks), tuple(domains))


def list_rules(db: Session) -> list[PetitionAddressRule]:
    return list(
        db.scalars(select(PetitionAddressRule).order_by(PetitionAddressRule.kind, PetitionAddressRule.value))
    )


def clean_value(kind: RuleKind, value: str) -> str:
    value = value.strip().lower()
    if kind == RuleKind.ADDRESS:
        try:
            return str(ipaddress.ip_network(value, strict=False))
        except ValueError:
            raise InvalidInput(
                {"value": _("Enter an IP address like 203.0.113.7 or a network like 203.0.113.0/24")}
            ) from None
    value = value.removeprefix("@")
    if not value or "." not in value or any(c.isspace() or c in "@/" for c in value) or len(value) > 255:
        raise InvalidInput({"value": _("Enter an email domain like example.com")})
    return value


def add_rule(
    db: Session, *, kind: RuleKind, value: str, action: RuleAction, note: str, actor_id: int | None
) -> PetitionAddressRule:
    value = clean_value(kind, value)
    if db.scalar(
        select(PetitionAddressRule.id).where(
            PetitionAddressRule.kind == kind, PetitionAddressRule.value == value
        )
    ):
        raise InvalidInput({"value": _("There is already a rule for this; remove it first to change it")})
    rule = PetitionAddressRule(
        kind=kind, value=value, action=action, note=note.strip()[:300], created_by_id=actor_id
    )
    db.add(rule)
    db.flush()
    audit.record(
        db,
        actor_id=actor_id,
        action=f"petition_rule.{action.value}",
        object_type="petition_rule",
        object_id=rule.id,
        kind=kind.value,
        value=value,
        note=rule.note,
    )
    return rule


def remove_rule(db: Session, rule_id: int, *, actor_id: int | None) -> None:
    rule = db.get(PetitionAddressRule, rule_id)
    if rule is None:
        raise NotFound()
    audit.record(
        db,
        actor_id=actor_id,
        action="petition_rule.remove",
        object_type="petition_rule",
        object_id=rule.id,
        kind=rule.kind.value,
        value=rule.value,
        was=rule.action.value,
    )
    db.delete(rule)
    db.flush()
