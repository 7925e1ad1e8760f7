import assert from "node:assert/strict";
import { execSync, spawn } from "node:child_process";
import { once } from "node:events";
import { describe, test } from "node:test";
import {
  ConfigError,
  DEVELOPMENT_SECRETS,
  GENERATE_SECRET_COMMAND,
  generateSecrets,
  loadConfig,
  SECRET_NAMES,
} from "../src/config.js";
import { API_MAIN } from "./support/server.js";

const production = { NODE_ENV: "production", SMTP_URL: "smtp://127.0.0.1:1025" };

/** The configuration error `env` gives, or null when it loads. */
function configProblem(env: Record<string, string>): string | null {
  try {
    loadConfig(env);
    return null;
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
}

describe("secrets", () => {
  for (const name of SECRET_NAMES) {
    test(`production refuses to start when ${name} is unset or a development value`, () => {
      const { [name]: _, ...others } = generateSecrets();
      for (const value of [undefined, DEVELOPMENT_SECRETS[name]]) {
        const problem = configProblem({ ...production, ...others, ...(value ? { [name]: value } : {}) });
        assert.ok(problem, `${name}=${value} was accepted`);
        assert.match(problem, new RegExp(`${name}: unset or a public development value`));
        assert.ok(problem.includes(`Set ${name}`) && problem.includes(GENERATE_SECRET_COMMAND), problem);
        for (const other of SECRET_NAMES.filter((secret) => secret !== name))
          assert.doesNotMatch(problem, new RegExp(other), "only the faulty secret is named");
      }
    });
  }

  test("production starts with its own secrets; development falls back to the development values", () => {
    const secrets = generateSecrets();
    assert.equal(configProblem({ ...production, ...secrets }), null);
    assert.equal(loadConfig({ ...production, ...secrets }).TICKET_SIGNING_KEY, secrets.TICKET_SIGNING_KEY);
    const development = loadConfig({});
    for (const name of SECRET_NAMES) assert.equal(development[name], DEVELOPMENT_SECRETS[name]);
  });

  test("production needs SMTP_URL (off only when set so); a malformed one is refused anywhere", () => {
    const secrets = generateSecrets();
    const { SMTP_URL: _, ...withoutMail } = production;
    assert.match(
      configProblem({ ...withoutMail, ...secrets }) ?? "",
      /SMTP_URL: unset: production sends mail/,
    );
    assert.equal(configProblem({ ...withoutMail, ...secrets, SMTP_URL: "off" }), null);
    assert.equal(
      configProblem({ ...withoutMail, ...secrets, SMTP_URL: "smtps://u:p@smtp.example.com:465" }),
      null,
    );
    assert.match(configProblem({ SMTP_URL: "http://example.com" }) ?? "", /SMTP_URL: must be an smtp:\/\//);
    assert.equal(loadConfig({}).SMTP_URL, undefined, "development without mail");
  });

  test("the generate command's output is accepted by every secret", () => {
    const secret = execSync(GENERATE_SECRET_COMMAND, { encoding: "utf8" }).trim();
    const env = Object.fromEntries(SECRET_NAMES.map((name) => [name, secret]));
    assert.equal(configProblem({ ...production, ...env }), null);
  });

  test("the built API exits at once, naming the secret, instead of serving with a development one", async () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...generateSecrets(),
      NODE_ENV: "production",
      PORT: "0",
    };
    delete env.POW_SECRET;
    const child = spawn(process.execPath, [API_MAIN], { env, stdio: ["ignore", "pipe", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = (await once(child, "exit")) as [number | null];
    assert.equal(code, 2, stderr);
    assert.match(stderr, /POW_SECRET: unset or a public development value/);
    assert.ok(stderr.includes(GENERATE_SECRET_COMMAND), stderr);
  });
});
