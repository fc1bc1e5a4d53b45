"""The error hierarchy of smarketing.

    SmarketingError
    ├── DefinitionError        a file people write is wrong (raised at load, lists EVERY problem)
    │   ├── MappingError       a mapping profile
    │   ├── ContractError      the lifecycle contract or the reasons vocabulary
    │   ├── RulebookError      the rulebook
    │   ├── AssignmentError    the assignment rules (data/assignment.yaml)
    │   └── RolesError         the role mapping of signed-in people (data/roles.yaml)
    ├── DataError              the data is wrong (carries the failing cases)
    │   ├── ImportRejected     an import found bad rows; nothing was written
    │   ├── UnknownLead        a request names a lead that does not exist
    │   ├── UnknownAccount     a request names an account that does not exist
    │   └── IncompleteHandoff  an MQL's handoff payload misses required data; nothing was queued
    ├── ConfigError            a setting or argument is unusable (bad URL, missing file)
    ├── TransitionNotAllowed   the lifecycle contract refused a stage change
    ├── NotPermitted           a signed-in person's role does not allow the action
    ├── ProposalRefused        a publish proposal cannot be approved or rejected (same person, stale)
    ├── InvalidWebhook         an inbound request is unsigned, wrongly signed, stale or replayed
    └── HandoffFailed          a CRM did not accept a handoff (carries status, body, retry hint)

Definition errors say "your file is wrong"; data errors say "this row is wrong". Both carry every
problem they found, each with its location, so one run shows the whole list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong, and where: a file plus a line/key (definitions) or row/column (data)."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class SmarketingError(Exception):
    """Base of every error smarketing raises on purpose."""


class ConfigError(SmarketingError):
    """A setting, URL, path or argument cannot be used."""


class _ProblemList(SmarketingError):
    kind = "problem"

    def __init__(self, problems: Iterable[Problem], source: str = "") -> None:
        self.problems = list(problems)
        self.source = source
        count = len(self.problems)
        head = f"{count} {self.kind}{'s' if count != 1 else ''}"
        if source:
            head += f" in {source}"
        lines = "\n".join(f"  {p}" for p in self.problems)
        # With no row or key to list, `source` is the whole sentence ("the database has no ...").
        super().__init__(f"{head}:\n{lines}" if lines else source or head)


class DefinitionError(_ProblemList):
    """A definition file (profile, contract, rulebook) is invalid."""

    kind = "definition problem"


class MappingError(DefinitionError):
    """A mapping profile is invalid."""


class ContractError(DefinitionError):
    """The lifecycle contract or the reasons vocabulary is invalid."""


class RulebookError(DefinitionError):
    """The rulebook is invalid."""


class AssignmentError(DefinitionError):
    """The assignment rules (account owner, territories, round robin weights) are invalid."""


class RolesError(DefinitionError):
    """The role mapping (who gets which dashboard role from their identity claims) is invalid."""


class DataError(_ProblemList):
    """Input data is invalid."""

    kind = "data problem"


class ImportRejected(DataError):
    """An import found invalid rows; the whole run was rolled back (nothing written)."""


class TransitionNotAllowed(SmarketingError):
    """The lifecycle contract refused to move a contact between two stages."""

    def __init__(self, contact_id: object, from_stage: str | None, to_stage: str, missing: str):
        self.contact_id = contact_id
        self.from_stage = from_stage
        self.to_stage = to_stage
        self.missing = missing
        super().__init__(
            f"contact {contact_id}: {from_stage or '(none)'} -> {to_stage} not allowed: {missing}"
        )


class NotPermitted(SmarketingError):
    """`actor`, with `role`, asked for `action`, which is not theirs to do: `reason` says why."""

    def __init__(self, actor: str, role: str, action: str, reason: str) -> None:
        self.actor = actor
        self.role = role
        self.action = action
        self.reason = reason
        super().__init__(f"{actor or 'this user'} ({role}) may not {action}: {reason}")


class ProposalRefused(SmarketingError):
    """A publish proposal cannot be decided as asked: `reason` says why (four eyes, stale, closed)."""

    def __init__(self, proposal_id: int, reason: str) -> None:
        self.proposal_id = proposal_id
        self.reason = reason
        super().__init__(f"proposal {proposal_id}: {reason}")


class UnknownLead(DataError):
    """A request names a lead (by id, external id or email) that does not exist."""


class UnknownAccount(DataError):
    """A request names an account (by id) that does not exist."""


class IncompleteHandoff(DataError):
    """An MQL's handoff payload misses required data; the transition and the outbox row were not written."""


class Refused(SmarketingError):
    """An inbound request was refused before it did anything: `field` names the header or part."""

    def __init__(self, reason: str, field: str = "") -> None:
        self.reason = reason
        self.field = field
        super().__init__(f"{field}: {reason}" if field else reason)


class InvalidWebhook(Refused):
    """An inbound request failed authentication: `field` names the header (or part) at fault."""


class Forbidden(Refused):
    """An authenticated source asked for something its scopes do not allow."""


class TooLarge(Refused):
    """A request body is larger than the server accepts (refused before it is read)."""


class RateLimited(Refused):
    """A source sent more requests than its limit; `retry_after` is in whole seconds."""

    def __init__(self, reason: str, field: str = "", retry_after: int = 1) -> None:
        self.retry_after = retry_after
        super().__init__(reason, field)


class DuplicateRequest(Refused):
    """A signed request whose nonce was already processed: it had its effect once, not again."""


class StorageFull(SmarketingError):
    """The database or its disk is full: nothing of the unit of work was written."""


class HandoffFailed(SmarketingError):
    """A CRM did not accept a handoff.

    `status` is the HTTP status (None when no response came back), `body` what the CRM said;
    `retryable` tells the worker whether another attempt can succeed, `retry_after` (seconds) is the
    CRM's own hint.
    """

    def __init__(
        self,
        lead_id: object,
        status: int | None,
        body: str,
        *,
        retryable: bool = True,
        retry_after: float | None = None,
    ) -> None:
        self.lead_id = lead_id
        self.status = status
        self.body = body
        self.retryable = retryable
        self.retry_after = retry_after
        shown = body if len(body) <= 300 else body[:300] + "..."
        super().__init__(f"handoff of lead {lead_id} failed ({status or 'no response'}): {shown}")
