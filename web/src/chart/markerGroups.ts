// The chart's signal markers, one per bar and side: signals that cluster (two strategies on one
// bar, several daily signals in a weekly candle) share one arrow whose text names each of them,
// and a text that would run into a neighbouring marker's is shortened (the labels without the
// confidence, then the count, then the arrow alone) so that no two labels are drawn over each
// other at any zoom or width. Every signal stays on its bar (the arrow and the marker's id); the
// tooltip and the signal panel give the details.

import type { Signal } from "../api";
import { signalMarker, signalText, strategyLabel, type MarkerSpec, type Palette } from "./overlays";

/** A signal on the candle that holds it: the candle's time and its index among the candles. */
export interface PlacedSignal {
  signal: Signal;
  time: number;
  index: number;
}

/** The candles in view (logical indexes, as the time scale gives them) and the pixels a
 * candle takes: a label centred on a candle near an edge has only the room to that edge. */
export interface MarkerView {
  from: number;
  to: number;
  barSpacing: number;
}

/** About the width of one character of the library's 12 px marker text, and a margin. */
const CHARACTER_PIXELS = 7;
const LABEL_MARGIN_PIXELS = 4;

interface MarkerGroup {
  first: MarkerSpec;
  placed: PlacedSignal[];
}

/** One marker per candle and side, its text the longest of its forms that fits beside its
 * neighbours and the chart's edges in `view`. Sorted by time, as the library wants them. */
export function groupedMarkers(placed: readonly PlacedSignal[], palette: Palette, view: MarkerView): MarkerSpec[] {
  const groups = new Map<string, MarkerGroup>();
  for (const item of [...placed].sort((a, b) => a.index - b.index || a.signal.id - b.signal.id)) {
    const spec = signalMarker(item.signal, item.time, palette);
    const key = `${item.index.toString()}:${spec.position}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { first: spec, placed: [item] });
    else group.placed.push(item);
  }
  const ordered = [...groups.values()];
  return ordered.map((group) => {
    const index = group.placed[0]?.index ?? 0;
    const toEdge = 2 * Math.min(index - view.from, view.to - index); // candles, both halves
    const room = Math.min(roomOf(group, ordered), toEdge) * view.barSpacing - LABEL_MARGIN_PIXELS;
    // the direction's colour if the router took any of them, grey if it refused them all
    const accepted = group.placed.find((item) => item.signal.decision === "accepted");
    return {
      ...group.first,
      id: `signal-${group.placed.map((item) => item.signal.id.toString()).join("+")}`,
      color: accepted === undefined ? group.first.color : signalMarker(accepted.signal, accepted.time, palette).color,
      text: fittingText(textForms(group.placed.map((item) => item.signal)), room),
    };
  });
}

/** The candles between a group and its nearest neighbour on the same side (its label is
 * centred on its bar, so half a neighbour's label and half its own share that gap). */
function roomOf(group: MarkerGroup, all: readonly MarkerGroup[]): number {
  const index = group.placed[0]?.index ?? 0;
  let nearest = Number.POSITIVE_INFINITY;
  for (const other of all) {
    if (other === group || other.first.position !== group.first.position) continue;
    nearest = Math.min(nearest, Math.abs((other.placed[0]?.index ?? 0) - index));
  }
  return nearest;
}

/** A cluster's texts, longest first: `MACD 18% · RSI 20% ✕`, `MACD·RSI✕`, `2`, nothing. */
export function textForms(signals: readonly Signal[]): string[] {
  const full = signals.map(signalText).join(" · ");
  const labels = signals
    .map((signal) => `${strategyLabel(signal.strategy)}${signal.decision === "accepted" ? "" : "✕"}`)
    .join("·");
  return signals.length > 1 ? [full, labels, signals.length.toString(), ""] : [full, labels, ""];
}

function fittingText(forms: readonly string[], roomPixels: number): string {
  for (const form of forms) {
    if (form.length * CHARACTER_PIXELS <= roomPixels) return form;
  }
  return "";
}
