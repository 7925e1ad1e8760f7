import { IsOptional, Max, Min } from "class-validator";
import { GraphQLDateTime } from "graphql-scalars";
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from "type-graphql";

export enum QueueState {
  NOT_IN_QUEUE = "NOT_IN_QUEUE",
  PRE_QUEUE = "PRE_QUEUE",
  WAITING = "WAITING",
  ADMITTED = "ADMITTED",
  EXPIRED = "EXPIRED",
  REJOIN = "REJOIN",
}
registerEnumType(QueueState, {
  name: "QueueState",
  valuesConfig: {
    NOT_IN_QUEUE: { description: "This account has no entry in the event's waiting room." },
    PRE_QUEUE: { description: "Joined before the sale starts: the order is drawn by lottery at sale start." },
    WAITING: { description: "Has a place in line (`position`)." },
    ADMITTED: { description: "May hold seats with `admissionToken` until `admittedUntil`." },
    EXPIRED: {
      description: "Missed its turn (no heartbeat within the grace period) or the shopping window ended.",
    },
    REJOIN: {
      description:
        "Had a place, lost when the waiting room restarted (its Redis state was lost): join again. Before " +
        "the sale you are back in the lottery; after it, places are given again in the order fans rejoin.",
    },
  },
});

@ObjectType({ description: "The caller's place in an event's waiting room (DESIGN.md §4, docs/queue.md)." })
export class QueueStatus {
  @Field(() => ID)
  eventId!: number;

  @Field(() => QueueState)
  state!: QueueState;

  @Field(() => ID, {
    nullable: true,
    description: "The caller's entry id: the opaque id listed in queueAudit, to check the draw.",
  })
  entryId!: string | null;

  @Field(() => Int, {
    nullable: true,
    description: "Ticket number minus servedUpTo: 1 is next. Null before the draw and when not waiting.",
  })
  position!: number | null;

  @Field(() => Int, { description: "Fans waiting in this room (pre-queue included)." })
  waitingCount!: number;

  @Field(() => Int, { nullable: true, description: "Expected wait, from the measured admission rate." })
  etaSeconds!: number | null;

  @Field(() => Int, { nullable: true, description: "The optimistic end of the honest range." })
  etaLowSeconds!: number | null;

  @Field(() => Int, { nullable: true, description: "The pessimistic end of the honest range." })
  etaHighSeconds!: number | null;

  @Field(() => String, { nullable: true, description: "Why the wait grew, when it did." })
  etaNote!: string | null;

  @Field({ description: "True while the organizer has paused admissions." })
  paused!: boolean;

  @Field(() => GraphQLDateTime)
  saleStartsAt!: Date;

  @Field(() => String, {
    nullable: true,
    description: "When ADMITTED: pass it to holdSeats/holdBestAvailable. Valid until admittedUntil.",
  })
  admissionToken!: string | null;

  @Field(() => GraphQLDateTime, { nullable: true, description: "The end of the shopping window." })
  admittedUntil!: Date | null;

  @Field(() => Int, { description: "Send queueHeartbeat (or queueStatus) this often, or lose the turn." })
  heartbeatIntervalSeconds!: number;

  @Field(() => Int, { description: "Leading zero bits joinQueue's proofOfWork needs; 0 = off." })
  proofOfWorkDifficulty!: number;
}

@ObjectType({
  description:
    "Everything needed to recompute the pre-queue lottery: the commitment published before the draw, " +
    "the seed revealed at sale start, the entries in join order and the drawn order.",
})
export class QueueAudit {
  @Field(() => ID)
  eventId!: number;

  @Field(() => String, { nullable: true, description: "SHA-256 (hex) of the seed's 32 bytes." })
  commitment!: string | null;

  @Field(() => String, { nullable: true, description: "The seed (64 hex chars); null until sale start." })
  seed!: string | null;

  @Field({ description: "How the order is computed from the seed and the entries, exactly." })
  algorithm!: string;

  @Field(() => [String], { description: "The pre-queue's entry ids, in join order (opaque ids)." })
  preQueueEntries!: string[];

  @Field(() => [String], { nullable: true, description: "The drawn order: first to be served first." })
  drawnOrder!: string[] | null;

  @Field(() => GraphQLDateTime, { nullable: true })
  revealedAt!: Date | null;
}

@InputType({ description: "Only the fields given change." })
export class QueueSettingsInput {
  @Field(() => Int, { nullable: true, description: "Fans admitted per minute (0 admits nobody)." })
  @IsOptional()
  @Min(0)
  @Max(1_000_000)
  admissionRatePerMinute?: number | null;

  @Field(() => Int, { nullable: true, description: "At most this many shoppers at once; 0 = no cap." })
  @IsOptional()
  @Min(0)
  @Max(10_000_000)
  maxActiveShoppers?: number | null;

  @Field(() => Boolean, { nullable: true })
  paused?: boolean | null;

  @Field(() => Int, {
    nullable: true,
    description: "Proof-of-work leading zero bits for joinQueue; 0 = off.",
  })
  @IsOptional()
  @Min(0)
  @Max(32)
  proofOfWorkDifficulty?: number | null;

  @Field(() => Int, { nullable: true, description: "How long an admitted fan may shop, in seconds." })
  @IsOptional()
  @Min(60)
  @Max(24 * 3600)
  shoppingWindowSeconds?: number | null;
}

@ObjectType({
  description: "The waiting room's settings and live figures (organizers of the event, admins).",
})
export class QueueSettings {
  @Field(() => Int)
  admissionRatePerMinute!: number;

  @Field(() => Int, { nullable: true, description: "Null: no cap." })
  maxActiveShoppers!: number | null;

  @Field()
  paused!: boolean;

  @Field(() => Int)
  proofOfWorkDifficulty!: number;

  @Field(() => Int)
  shoppingWindowSeconds!: number;

  @Field(() => Int)
  waitingCount!: number;

  @Field(() => Int)
  activeShoppers!: number;

  @Field(() => Int, { description: "The ticket number of the last fan served (admitted or skipped)." })
  servedUpTo!: number;

  @Field(() => Int, {
    description: "Admissions per minute, measured (moving average); 0 until the room has admitted someone.",
  })
  admittedPerMinuteMeasured!: number;

  @Field({ description: "The sale has opened and the room admits fans (false before saleStartsAt's draw)." })
  admissionsOpen!: boolean;
}
