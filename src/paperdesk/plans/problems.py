"""What is wrong with a trade plan: one problem per bad value, naming the row and the field, so
a trader can fix every mistake in one pass instead of one per run."""

from __future__ import annotations

from collections.abc import Sequence
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
        where = f"row {self.row}, {self.field}" if self.row is not None else self.field
        shown = f"{self.value!r}" if self.value else "(empty)"
        return f"{where}: {shown} ({self.expected})"

    def as_dict(self) -> dict[str, object]:
        return {
            "row": self.row,
            "field": self.field,
            "value": self.value,
            "expected": self.expected,
            "message": self.message,
        }


class PlanError(InvalidInputError):
    """A trade plan refused whole: it carries every problem found, not only the first."""

    def __init__(self, source: str, problems: Sequence[PlanProblem]) -> None:
        self.source = source
        self.problems = tuple(problems)
        count = len(self.problems)
        shown = "; ".join(problem.message for problem in self.problems[:MESSAGE_PROBLEMS])
        more = f"; and {count - MESSAGE_PROBLEMS} more" if count > MESSAGE_PROBLEMS else ""
        noun = "problem" if count == 1 else "problems"
        super().__init__(
            f"trade plan {source} refused, nothing placed ({count} {noun}): {shown}{more}"
        )


# how many problems the one-line message lists (the exception carries all of them)
MESSAGE_PROBLEMS = 20
