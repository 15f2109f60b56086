// The manual order ticket's checks, mirroring the API's (`OrderCreate`, `check_order_request`,
// `validate_order_fields`, the bracket rule of `rejection_reason`), so an obviously wrong order
// is pointed out before it is sent; what only the server knows (cash, lots, ticks, a working
// entry) comes back from the API and is shown next to its field.

import type { OrderTicket, OrderType, Side, TimeInForce } from "../api";
import { amountProblem, compare } from "./decimal";

export interface TicketInput {
  symbol: string;
  side: Side;
  type: OrderType;
  quantity: string;
  limitPrice: string;
  stopPrice: string;
  timeInForce: TimeInForce;
  bracket: boolean;
  stopLoss: string;
  takeProfit: string;
}

export type TicketCheck =
  | { ok: true; ticket: OrderTicket }
  | { ok: false; problems: Record<string, string> };

const TAKES_LIMIT: readonly OrderType[] = ["limit", "stop_limit"];
const TAKES_STOP: readonly OrderType[] = ["stop", "stop_limit"];

/** The ticket to send, or the problems by field (`quantity`, `limit_price`, ...). */
export function checkTicket(input: TicketInput): TicketCheck {
  const problems: Record<string, string> = {};
  const amount = (field: string, label: string, text: string): string | undefined => {
    const problem = amountProblem(text);
    if (problem !== null) problems[field] = `${label} ${problem}`;
    return problem === null ? text.trim() : undefined;
  };
  const needed = (field: string, name: string, text: string, type: OrderType): string | undefined => {
    if (text.trim() !== "") return amount(field, name, text);
    problems[field] = `a ${label(type)} order needs a ${name}`;
    return undefined;
  };
  const symbol = input.symbol.trim().toUpperCase();
  if (symbol === "") problems["symbol"] = "symbol is required";
  const quantity = amount("quantity", "quantity", input.quantity) ?? "";
  const ticket: OrderTicket = {
    symbol,
    side: input.side,
    quantity,
    type: input.type,
    time_in_force: input.timeInForce,
  };
  if (TAKES_LIMIT.includes(input.type)) {
    const price = needed("limit_price", "limit price", input.limitPrice, input.type);
    if (price !== undefined) ticket.limit_price = price;
  }
  if (TAKES_STOP.includes(input.type)) {
    const price = needed("stop_price", "stop price", input.stopPrice, input.type);
    if (price !== undefined) ticket.stop_price = price;
  }
  if (input.bracket) {
    const stopLoss = amount("stop_loss", "stop-loss", input.stopLoss);
    const takeProfit = amount("take_profit", "take-profit", input.takeProfit);
    if (stopLoss !== undefined && takeProfit !== undefined) {
      const ordered = input.side === "buy" ? compare(stopLoss, takeProfit) < 0 : compare(stopLoss, takeProfit) > 0;
      if (!ordered) {
        const where = input.side === "buy" ? "below" : "above";
        problems["stop_loss"] = `a ${input.side} bracket needs its stop-loss ${where} its take-profit`;
      }
    }
    if (stopLoss !== undefined) ticket.stop_loss = stopLoss;
    if (takeProfit !== undefined) ticket.take_profit = takeProfit;
  }
  return Object.keys(problems).length > 0 ? { ok: false, problems } : { ok: true, ticket };
}

function label(type: OrderType): string {
  return type.replace("_", "-");
}
