// Checks a Compose file without Docker: YAML syntax, the Compose Specification's JSON schema (the copy
// that ships in the npm package dclint), and the references between services that `docker compose
// config` would also refuse (depends_on targets, named volumes).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Ajv } from "ajv";
import { parseDocument } from "yaml";

const schemaFile = join(
  dirname(createRequire(import.meta.url).resolve("dclint/package.json")),
  "schemas/compose.schema.json",
);

let validate: ReturnType<Ajv["compile"]> | undefined;
function schemaValidator(): ReturnType<Ajv["compile"]> {
  // A draft-07 schema (Ajv's default) that names its draft by an address Ajv does not know, with union
  // types and keywords of its own ("deprecated"): compiled as the spec means it.
  const { $schema: _draft07, ...schema } = JSON.parse(readFileSync(schemaFile, "utf8")) as Record<
    string,
    unknown
  >;
  validate ??= new Ajv({ allErrors: true, strict: false, allowUnionTypes: true }).compile(schema);
  return validate;
}

interface ServiceShape {
  depends_on?: string[] | Record<string, unknown>;
  volumes?: (string | { type?: string; source?: string })[];
}

/** The problems of a Compose file's text, each a readable sentence; none means valid. */
export function composeProblems(text: string): string[] {
  const document = parseDocument(text, { merge: true });
  if (document.errors.length > 0) return document.errors.map((error) => `YAML: ${error.message}`);
  const compose = document.toJS() as unknown;
  const validateSchema = schemaValidator();
  if (!validateSchema(compose)) {
    return (validateSchema.errors ?? []).map(
      (error) =>
        `${error.instancePath || "(top level)"} ${error.message ?? "is invalid"}${error.params ? ` ${JSON.stringify(error.params)}` : ""}`,
    );
  }
  const { services = {}, volumes = {} } = compose as {
    services?: Record<string, ServiceShape>;
    volumes?: Record<string, unknown>;
  };
  const problems: string[] = [];
  for (const [name, service] of Object.entries(services)) {
    const needs = Array.isArray(service.depends_on)
      ? service.depends_on
      : Object.keys(service.depends_on ?? {});
    for (const other of needs) {
      if (!(other in services))
        problems.push(`services.${name}.depends_on names "${other}", which is not a service`);
    }
    for (const volume of service.volumes ?? []) {
      const source =
        typeof volume === "string"
          ? volume.split(":")[0]
          : volume.type === "volume"
            ? volume.source
            : undefined;
      // A path (./x, /x, ~/x) is a bind mount; anything else names a top-level volume.
      if (source && !/^[./~]/.test(source) && !(source in (volumes ?? {})))
        problems.push(`services.${name}.volumes uses "${source}", which is not declared under volumes`);
    }
  }
  return problems;
}
