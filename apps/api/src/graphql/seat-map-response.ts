import { type ApolloServerPlugin, HeaderMap } from "@apollo/server";
import {
  type FieldNode,
  type FormattedExecutionResult,
  getArgumentValues,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from "graphql";
import { parseIntId } from "../kernel/ids.js";
import {
  SEAT_LEAVES,
  SEAT_MAP_MAX_AGE_SECONDS,
  SECTION_LEAVES,
  SeatMapJson,
  type SelectedField,
} from "../modules/seating/seat-map-json.js";
import type { SeatMapView } from "../modules/seating/seating.service.js";
import type { Context } from "./context.js";
import { coerceVariables } from "./variables.js";

// Seat-map queries answered without graphql-js walking every seat (modules/seating/seat-map-json.ts):
// an operation whose root fields are all `seatMap` (or __typename), made of plain fields (aliases
// allowed; no fragments, no directives), is answered from the layout's JSON text with the statuses
// spliced in. Anything else, and any error, goes the usual way, which answers as it always did.

const STAGE_LEAVES = new Set(["label", "x", "y", "width", "height", "__typename"]);
const BOUNDS_LEAVES = new Set(["minX", "minY", "maxX", "maxY", "__typename"]);
const SEAT_MAP_LEAVES = new Set(["eventId", "version", "statuses", "__typename"]);
const AREA_LEAVES = new Set(["id", "name", "capacity", "available", "outline", "__typename"]);

interface SeatMapRoot {
  node: FieldNode;
  key: string;
  leaves: SelectedField[];
  stage: { key: string; fields: SelectedField[] }[];
  bounds: { key: string; fields: SelectedField[] }[];
  sections: { key: string; fields: SelectedField[] }[];
  areas: { key: string; fields: SelectedField[] }[];
}

type Plan = { typenames: string[]; seatMaps: SeatMapRoot[] };

/** The plain fields of a selection set, each with a name in `allowed` (or one of `nested`), or null. */
function plainFields(set: SelectionSetNode | undefined): FieldNode[] | null {
  if (!set) return null;
  const fields: FieldNode[] = [];
  const keys = new Set<string>();
  for (const selection of set.selections) {
    if (selection.kind !== Kind.FIELD || selection.directives?.length) return null;
    const key = selection.alias?.value ?? selection.name.value;
    // The same response name twice would need graphql-js's field merging: leave it to graphql-js.
    if (keys.has(key)) return null;
    keys.add(key);
    fields.push(selection);
  }
  return fields;
}

function leavesOf(set: SelectionSetNode | undefined, allowed: ReadonlySet<string>): SelectedField[] | null {
  const fields = plainFields(set);
  if (!fields) return null;
  const leaves: SelectedField[] = [];
  for (const field of fields) {
    if (!allowed.has(field.name.value) || field.selectionSet) return null;
    leaves.push({ key: field.alias?.value ?? field.name.value, field: field.name.value });
  }
  return leaves;
}

function sectionFieldsOf(set: SelectionSetNode | undefined): SelectedField[] | null {
  const fields = plainFields(set);
  if (!fields) return null;
  const selected: SelectedField[] = [];
  for (const field of fields) {
    const key = field.alias?.value ?? field.name.value;
    if (field.name.value === "seats") {
      const seats = leavesOf(field.selectionSet, SEAT_LEAVES);
      if (!seats) return null;
      selected.push({ key, field: "seats", seats });
    } else if (SECTION_LEAVES.has(field.name.value) && !field.selectionSet) {
      selected.push({ key, field: field.name.value });
    } else {
      return null;
    }
  }
  return selected;
}

function planOf(operation: OperationDefinitionNode): Plan | null {
  if (operation.operation !== "query" || operation.directives?.length) return null;
  const roots = plainFields(operation.selectionSet);
  if (!roots) return null;
  const plan: Plan = { typenames: [], seatMaps: [] };
  for (const root of roots) {
    const key = root.alias?.value ?? root.name.value;
    if (root.name.value === "__typename") {
      plan.typenames.push(key);
      continue;
    }
    if (root.name.value !== "seatMap") return null;
    const fields = plainFields(root.selectionSet);
    if (!fields) return null;
    const seatMap: SeatMapRoot = {
      node: root,
      key,
      leaves: [],
      stage: [],
      bounds: [],
      sections: [],
      areas: [],
    };
    for (const field of fields) {
      const fieldKey = field.alias?.value ?? field.name.value;
      const name = field.name.value;
      if (SEAT_MAP_LEAVES.has(name) && !field.selectionSet) {
        seatMap.leaves.push({ key: fieldKey, field: name });
        continue;
      }
      const nested =
        name === "stage"
          ? leavesOf(field.selectionSet, STAGE_LEAVES)
          : name === "bounds"
            ? leavesOf(field.selectionSet, BOUNDS_LEAVES)
            : name === "sections"
              ? sectionFieldsOf(field.selectionSet)
              : name === "areas"
                ? leavesOf(field.selectionSet, AREA_LEAVES)
                : null;
      if (!nested) return null;
      seatMap[name as "stage" | "bounds" | "sections" | "areas"].push({ key: fieldKey, fields: nested });
    }
    plan.seatMaps.push(seatMap);
  }
  return plan.seatMaps.length ? plan : null;
}

function objectOf(source: Record<string, unknown>, typename: string, fields: SelectedField[]) {
  const result: Record<string, unknown> = {};
  for (const { key, field } of fields) result[key] = field === "__typename" ? typename : source[field];
  return result;
}

function seatMapLeaf(view: SeatMapView, field: string): unknown {
  if (field === "eventId") return String(view.eventId);
  if (field === "__typename") return "SeatMap";
  return field === "version" ? view.version : view.statuses;
}

/**
 * Responses whose data holds JSON text to splice in: the text stands as a unique token string in the data
 * until `stringifyResult` puts it in place of the token's JSON.
 */
const spliced = new WeakMap<object, Map<string, string>>();
const TOKEN_PREFIX = `\u2063seat-map-json-${process.pid}-${Date.now()}-`;
let tokens = 0;

/** Apollo Server's stringifyResult: JSON.stringify, with seat-map JSON text spliced in. */
export function stringifyResult(value: FormattedExecutionResult): string {
  let text = JSON.stringify(value);
  const splices = value.data ? spliced.get(value.data) : undefined;
  if (splices) {
    for (const [token, json] of splices) text = text.replace(`"${token}"`, () => json);
  }
  return `${text}\n`;
}

export function seatMapResponsePlugin(): ApolloServerPlugin<Context> {
  const json = new SeatMapJson();
  const plans = new WeakMap<OperationDefinitionNode, Plan | null>();
  return {
    async requestDidStart() {
      return {
        async responseForOperation(requestContext) {
          const { operation, contextValue, request, schema } = requestContext;
          // API-key requests are answered the usual way: the root-field guards check their scopes.
          if (!operation || contextValue.apiKey) return null;
          let plan = plans.get(operation);
          if (plan === undefined) {
            plan = planOf(operation);
            plans.set(operation, plan);
          }
          const seatMapField = schema.getQueryType()?.getFields().seatMap;
          if (!plan || !seatMapField) return null;
          const variables = coerceVariables(schema, operation.variableDefinitions, request.variables);
          if (variables.errors) return null;
          try {
            const data: Record<string, unknown> = {};
            const splices = new Map<string, string>();
            for (const key of plan.typenames) data[key] = "Query";
            for (const root of plan.seatMaps) {
              const args = getArgumentValues(seatMapField, root.node, variables.coerced);
              const view = await contextValue.services.seating.seatMap(
                parseIntId(String(args.eventId), "eventId"),
              );
              const seatMap: Record<string, unknown> = {};
              for (const { key, field } of root.leaves) seatMap[key] = seatMapLeaf(view, field);
              for (const { key, fields } of root.stage) seatMap[key] = objectOf(view.stage, "Stage", fields);
              for (const { key, fields } of root.bounds)
                seatMap[key] = objectOf(view.bounds, "Bounds", fields);
              for (const { key, fields } of root.areas) {
                seatMap[key] = view.areas.map((area) =>
                  objectOf({ ...area, id: String(area.id) }, "SeatMapArea", fields),
                );
              }
              for (const { key, fields } of root.sections) {
                const token = `${TOKEN_PREFIX}${++tokens}`;
                splices.set(token, await json.sections(view.sections, fields, view.statuses));
                seatMap[key] = token;
              }
              data[root.key] = seatMap;
            }
            if (splices.size) spliced.set(data, splices);
            requestContext.overallCachePolicy.replace({ maxAge: SEAT_MAP_MAX_AGE_SECONDS, scope: "PUBLIC" });
            return {
              http: { status: undefined, headers: new HeaderMap() },
              body: { kind: "single", singleResult: { data } },
            };
          } catch {
            // A bad id, an unknown event, a database error: the usual execution answers it properly.
            return null;
          }
        },
      };
    },
  };
}
