"""What is wrong with a trade plan: one problem per bad value, naming the row and the field, so
a trader can fix every mistake in one pass instead of one per run."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from paperdesk.domain.errors import InvalidInputError


@dataclass(frozen=True, slots=True)
class PlanProblem:
    """One bad value: ``row`` is the data row's number (1 = the first row after the header, or
    the first object of a JSON list), None for a problem of the whole file (a missing column);
    ``field`` the column; ``value`` the text as given; ``expected`` what would be accepted."""

    row: int | None
    field: str
    value: str
    expected: str

    @property
    def message(self) -> str:
        if self.row is None:
            shown = f" {self.value!r}" if self.value and self.value != self.field else ""
            return f"{self.field}{shown}: {self.expected}"
        shown = f"{self.value!r}" if self.value else "(empty)"
        return f"row {self.row}, {self.field}: {shown} ({self.expected})"

    def as_dict(self) -> dict[str, object]:
        return {
            "row": self.row,
            "field": self.field,
            "value": self.value,
            "expected": self.expected,
            "message": self.message,
        }


class PlanError(InvalidInputError):
    """A trade plan refused whole: it carries every problem found, not only the first.

    ``outcome`` says what the refusing door did not do (``nothing placed`` for executing,
    ``nothing simulated`` for the simulator): the reader does not know its caller, so it
    raises without one and each door adds its own words (``refused_as``)."""

    def __init__(
        self, source: str, problems: Sequence[PlanProblem], outcome: str | None = None
    ) -> None:
        self.source = source
        self.problems = tuple(problems)
        self.outcome = outcome
        count = len(self.problems)
        shown = "; ".join(problem.message for problem in self.problems[:MESSAGE_PROBLEMS])
        more = f"; and {count - MESSAGE_PROBLEMS} more" if count > MESSAGE_PROBLEMS else ""
        noun = "problem" if count == 1 else "problems"
        refused = f"refused, {outcome}" if outcome else "refused"
        super().__init__(f"trade plan {source} {refused} ({count} {noun}): {shown}{more}")


@contextmanager
def refused_as(outcome: str) -> Iterator[None]:
    """A plan refused inside the block is refused saying ``outcome`` (what this door did not
    do), unless an inner door already said it."""
    try:
        yield
    except PlanError as error:
        if error.outcome is not None:
            raise
        raise PlanError(error.source, error.problems, outcome) from None


# how many problems the one-line message lists (the exception carries all of them)
MESSAGE_PROBLEMS = 20
