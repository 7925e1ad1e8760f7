import type { SeatMapRenderer } from "./seat-map-renderer";

/** Movement (CSS px) below which a press counts as a tap rather than a drag. */
const TAP_SLOP_PX = 5;
const KEYBOARD_PAN_PX = 80;
export const BUTTON_ZOOM_FACTOR = 1.5;
// Seats drawn smaller than this are too small to aim at: a tap zooms in towards them instead of picking.
const MIN_PICKABLE_SEAT_PX = 7;
const COMFORTABLE_SEAT_PX = 16;
const MAX_TAP_ZOOM = 4;

export interface GestureCallbacks {
  /** The seat under the pointer (or tapped), or -1 when there is none. */
  onPointAtSeat: (seat: number) => void;
  /** A click or tap on a seat big enough to aim at (picking it). */
  onActivateSeat: (seat: number) => void;
}

interface TrackedPointer {
  x: number;
  y: number;
}

/**
 * Mouse, touch and keyboard control of the seat map: wheel and pinch zoom, drag to pan, hover or tap
 * to inspect a seat, keys for zoom and (with Shift and the arrows) pan. Returns a function that removes every listener.
 */
export function attachSeatMapGestures(
  canvas: HTMLCanvasElement,
  renderer: SeatMapRenderer,
  callbacks: GestureCallbacks,
): () => void {
  const pointers = new Map<number, TrackedPointer>();
  let travelled = 0;

  const localPoint = (event: { clientX: number; clientY: number }): TrackedPointer => {
    const rect = canvas.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  };

  const pointAt = (point: TrackedPointer) => {
    const seat = renderer.seatAt(point.x, point.y);
    renderer.setHoveredSeat(seat);
    callbacks.onPointAtSeat(seat);
  };

  const activateAt = (point: TrackedPointer) => {
    const diameter = renderer.seatDiameterOnScreen();
    if (diameter < MIN_PICKABLE_SEAT_PX) {
      const factor = Math.min(MAX_TAP_ZOOM, Math.max(BUTTON_ZOOM_FACTOR, COMFORTABLE_SEAT_PX / diameter));
      renderer.zoomAt(factor, point.x, point.y);
      pointAt(point);
      return;
    }
    const seat = renderer.seatAt(point.x, point.y);
    if (seat >= 0) callbacks.onActivateSeat(seat);
  };

  const onPointerDown = (event: PointerEvent) => {
    if (event.pointerType === "mouse" && event.button !== 0) return;
    canvas.setPointerCapture(event.pointerId);
    pointers.set(event.pointerId, localPoint(event));
    if (pointers.size === 1) travelled = 0;
    canvas.dataset.dragging = "true";
  };

  const onPointerMove = (event: PointerEvent) => {
    const point = localPoint(event);
    const previous = pointers.get(event.pointerId);
    if (!previous) {
      if (event.pointerType === "mouse") pointAt(point);
      return;
    }
    if (pointers.size === 1) {
      travelled += Math.hypot(point.x - previous.x, point.y - previous.y);
      renderer.panBy(point.x - previous.x, point.y - previous.y);
      if (travelled > TAP_SLOP_PX) {
        renderer.setHoveredSeat(-1);
        callbacks.onPointAtSeat(-1);
      }
    } else if (pointers.size === 2) {
      // Pinch: scale by the change in finger distance around their midpoint, pan by the midpoint's move.
      const other = [...pointers.entries()].find(([id]) => id !== event.pointerId)?.[1];
      if (other) {
        const before = Math.hypot(previous.x - other.x, previous.y - other.y);
        const after = Math.hypot(point.x - other.x, point.y - other.y);
        const midX = (point.x + other.x) / 2;
        const midY = (point.y + other.y) / 2;
        if (before > 0) renderer.zoomAt(after / before, midX, midY);
        renderer.panBy((point.x - previous.x) / 2, (point.y - previous.y) / 2);
        travelled += TAP_SLOP_PX + 1;
      }
    }
    pointers.set(event.pointerId, point);
  };

  const onPointerEnd = (event: PointerEvent) => {
    if (!pointers.delete(event.pointerId)) return;
    if (pointers.size === 0) delete canvas.dataset.dragging;
    // A tap shows the seat's details (touch screens have no hover) and picks it.
    if (event.type === "pointerup" && pointers.size === 0 && travelled <= TAP_SLOP_PX) {
      const point = localPoint(event);
      pointAt(point);
      activateAt(point);
    }
  };

  const onPointerLeave = (event: PointerEvent) => {
    if (event.pointerType !== "mouse" || pointers.size > 0) return;
    renderer.setHoveredSeat(-1);
    callbacks.onPointAtSeat(-1);
  };

  const onWheel = (event: WheelEvent) => {
    event.preventDefault();
    const pixels = event.deltaMode === WheelEvent.DOM_DELTA_LINE ? event.deltaY * 16 : event.deltaY;
    // Trackpad pinches arrive as ctrl+wheel with small deltas: make them as lively as a wheel notch.
    const sensitivity = event.ctrlKey ? 0.01 : 0.0015;
    const point = localPoint(event);
    renderer.zoomAt(Math.exp(-pixels * sensitivity), point.x, point.y);
    // The map moved under the pointer: the seat under it may have changed.
    if (pointers.size === 0) pointAt(point);
  };

  const onDoubleClick = (event: MouseEvent) => {
    const point = localPoint(event);
    renderer.zoomAt(2, point.x, point.y);
  };

  const keyboardAction = (event: KeyboardEvent): (() => void) | null => {
    // Plain arrows move between seats (seat-map-canvas.tsx); with Shift they pan the map.
    if (event.key.startsWith("Arrow") && !event.shiftKey) return null;
    switch (event.key) {
      case "+":
      case "=":
        return () => renderer.zoomAtCentre(BUTTON_ZOOM_FACTOR);
      case "-":
        return () => renderer.zoomAtCentre(1 / BUTTON_ZOOM_FACTOR);
      case "0":
        return () => renderer.fitToView();
      case "ArrowLeft":
        return () => renderer.panBy(KEYBOARD_PAN_PX, 0);
      case "ArrowRight":
        return () => renderer.panBy(-KEYBOARD_PAN_PX, 0);
      case "ArrowUp":
        return () => renderer.panBy(0, KEYBOARD_PAN_PX);
      case "ArrowDown":
        return () => renderer.panBy(0, -KEYBOARD_PAN_PX);
      default:
        return null;
    }
  };

  const onKeyDown = (event: KeyboardEvent) => {
    const action = keyboardAction(event);
    if (!action || event.altKey || event.metaKey || event.ctrlKey) return;
    event.preventDefault();
    renderer.setHoveredSeat(-1);
    callbacks.onPointAtSeat(-1);
    action();
  };

  canvas.addEventListener("pointerdown", onPointerDown);
  canvas.addEventListener("pointermove", onPointerMove);
  canvas.addEventListener("pointerup", onPointerEnd);
  canvas.addEventListener("pointercancel", onPointerEnd);
  canvas.addEventListener("pointerleave", onPointerLeave);
  // Not passive: the wheel zooms the map instead of scrolling the page.
  canvas.addEventListener("wheel", onWheel, { passive: false });
  canvas.addEventListener("dblclick", onDoubleClick);
  canvas.addEventListener("keydown", onKeyDown);
  return () => {
    canvas.removeEventListener("pointerdown", onPointerDown);
    canvas.removeEventListener("pointermove", onPointerMove);
    canvas.removeEventListener("pointerup", onPointerEnd);
    canvas.removeEventListener("pointercancel", onPointerEnd);
    canvas.removeEventListener("pointerleave", onPointerLeave);
    canvas.removeEventListener("wheel", onWheel);
    canvas.removeEventListener("dblclick", onDoubleClick);
    canvas.removeEventListener("keydown", onKeyDown);
  };
}
