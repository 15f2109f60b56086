// Answers of a repeated read, shown in the order the reads were asked. A view re-reads its
// data whenever the stream or an action says it changed, so two reads can be in flight at
// once, and the server may answer the later one first: the earlier answer, arriving after it,
// would put an older state over a newer one, and nothing would correct it until the next
// change. Each read takes a ticket when asked; an answer is taken only when no later read's
// answer has been taken already (an answer that is merely late but newest is still shown).

export class AnswersInOrder {
  private asked = 0;
  private taken = 0;

  /** The ticket of a read asked now. */
  ask(): number {
    this.asked += 1;
    return this.asked;
  }

  /** Whether the answer of read `ticket` may be shown (then no earlier one will be). */
  take(ticket: number): boolean {
    if (ticket < this.taken) return false;
    this.taken = ticket;
    return true;
  }
}
