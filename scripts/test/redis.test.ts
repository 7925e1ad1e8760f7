import assert from "node:assert/strict";
import { test } from "node:test";
import { redisInstallHint } from "../services/redis.js";

test("without redis-server, the message says what to install for this kind of machine, and the other ways", () => {
  const cases: [NodeJS.Platform, string, string][] = [
    ["linux", 'ID=debian\nVERSION_ID="12"', "sudo apt-get install redis-server"],
    ["linux", 'ID=linuxmint\nID_LIKE="ubuntu debian"', "sudo apt-get install redis-server"],
    ["linux", "ID=fedora\nVERSION_ID=41", "sudo dnf install redis"],
    ["linux", 'ID="rocky"\nID_LIKE="rhel centos fedora"', "sudo dnf install redis"],
    ["linux", "ID=arch", "sudo pacman -S redis"],
    ["linux", "ID=alpine", "sudo apk add redis"],
    ["linux", 'ID="opensuse-tumbleweed"\nID_LIKE="opensuse suse"', "sudo zypper install redis"],
    ["darwin", "", "brew install redis"],
    ["win32", "", "WSL 2"],
    ["linux", "ID=somethingelse", "redis (or valkey) package"],
  ];
  for (const [platform, osRelease, install] of cases) {
    const hint = redisInstallHint(platform, osRelease);
    assert.ok(hint.includes(install), `${platform} ${osRelease}: ${hint}`);
    assert.match(hint, /REDIS_URL/);
    assert.match(hint, /docker compose up --build/);
  }
});
