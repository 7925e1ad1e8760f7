"use client";

import type { LiveConnectionState } from "@/lib/apollo/live-connection";
import { type Admission, WaitingRoomGate } from "@/queue/waiting-room";
import { SeatMapError, SeatMapLoading, SeatMapView } from "@/seating/seat-map";
import { useSeatMapData } from "@/seating/use-seat-map-data";
import { HoldPanel } from "./hold-panel";
import {
  type SeatingEvent,
  type SeatingTier,
  type SeatPickingOptions,
  useSeatPicking,
} from "./use-seat-picking";

interface EventSeatingProps {
  event: SeatingEvent;
  tiers: readonly SeatingTier[];
}

/**
 * The event's live seat map with picking, holding and releasing seats; for events that sell through the
 * waiting room, the fan's place in it until admitted.
 */
export function EventSeating({ event, tiers }: EventSeatingProps) {
  if (!event.queueEnabled) return <LiveSeating event={event} tiers={tiers} admission={null} />;
  return (
    <WaitingRoomGate event={event}>
      {(admission) => <LiveSeating event={event} tiers={tiers} admission={admission} />}
    </WaitingRoomGate>
  );
}

function LiveSeating({ event, tiers, admission }: EventSeatingProps & { admission: Admission | null }) {
  const { state, connection, retry, refreshStatuses } = useSeatMapData(event.id);
  if (state.phase === "loading") return <SeatMapLoading />;
  if (state.phase === "error") return <SeatMapError problem={state.problem} onRetry={retry} />;
  return (
    <SeatPicker
      event={event}
      tiers={tiers}
      data={state.data}
      connection={connection}
      refreshStatuses={refreshStatuses}
      admission={admission}
    />
  );
}

interface SeatPickerProps extends SeatPickingOptions {
  connection: LiveConnectionState;
}

function SeatPicker({ connection, ...options }: SeatPickerProps) {
  const picking = useSeatPicking(options);
  const { event, tiers, data } = options;
  const picks = picking.saleOpen && picking.seatsLeft > 0;
  return (
    <SeatMapView
      data={data}
      tiers={tiers}
      connection={connection}
      selectedSeatIds={picking.pickedSeatIds}
      heldByYouSeatIds={picking.heldByYou}
      flaggedSeatIds={picking.state.flagged}
      onSeatActivate={picks ? picking.chooseSeat : undefined}
      seatsToShow={picking.justHeld?.seats}
      panel={<HoldPanel event={event} tiers={tiers} picking={picking} />}
    />
  );
}
