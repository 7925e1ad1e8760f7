import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { SECRET_NAMES } from "../../apps/api/src/config.js";
import { composeProblems } from "../lib/compose.js";
import { repoRoot } from "../lib/state.js";

const composeText = readFileSync(join(repoRoot, "docker-compose.yml"), "utf8");

describe("docker-compose.yml, checked without Docker", () => {
  test("is valid", () => {
    assert.deepEqual(composeProblems(composeText), []);
  });

  test("what Compose would refuse is refused", () => {
    const broken: [string, RegExp][] = [
      [
        "services:\n  api:\n    image: x\n    restart_policy: always\n",
        /must NOT have additional properties/,
      ],
      [
        "services:\n  api:\n    image: x\n    depends_on: [db]\n",
        /depends_on names "db", which is not a service/,
      ],
      ["services:\n  api:\n    image: x\n    volumes: [data:/data]\n", /"data", which is not declared/],
      ["services:\n  api:\n    image: x\n    ports: 3000\n", /ports must be array/],
      ["services:\n  api: [\n", /^YAML:/],
    ];
    for (const [text, problem] of broken) {
      const problems = composeProblems(text);
      assert.ok(
        problems.some((line) => problem.test(line)),
        `${JSON.stringify(text)}: ${problems.join("; ")}`,
      );
    }
    assert.deepEqual(composeProblems("services:\n  api:\n    image: x\n    volumes: [./data:/data]\n"), []);
  });

  test("the API gets every secret production requires from .env, which .env.example lists", () => {
    const compose = parse(composeText, { merge: true }) as {
      services: Record<string, { environment?: Record<string, string> }>;
    };
    const example = readFileSync(join(repoRoot, ".env.example"), "utf8");
    for (const service of ["api", "migrate"]) {
      for (const name of SECRET_NAMES) {
        assert.match(compose.services[service]?.environment?.[name] ?? "", new RegExp(`^\\$\\{${name}:\\?`));
      }
    }
    for (const name of SECRET_NAMES) assert.match(example, new RegExp(`^${name}=$`, "m"));
  });
});
