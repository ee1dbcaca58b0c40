// Drives `loki mcp` with the official TypeScript SDK client, over stdio or streamable HTTP.
// Configured by environment: MCP_MODE (stdio|http), MCP_SERVER (JSON [command, ...args], stdio),
// MCP_URL, MCP_TOKEN, MCP_READ_TOKEN (http), MCP_REPO (the project), MCP_RUN_ID (a run with a proof).
// Prints one line per check; exits 1 on the first failure.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import Ajv from "ajv";
import fs from "node:fs";
import path from "node:path";
import http from "node:http";

const mode = process.env.MCP_MODE;
const repo = process.env.MCP_REPO;
const runId = process.env.MCP_RUN_ID;
let checks = 0;

function ok(cond, what) {
  if (!cond) {
    console.log("FAIL: " + what);
    process.exit(1);
  }
  checks++;
  console.log("ok - " + what);
}

function text(r) {
  return (r.content || []).filter(c => c.type === "text").map(c => c.text).join("\n");
}

async function connect(token) {
  const client = new Client({ name: "loki-test", version: "1.0.0" });
  let transport;
  if (mode === "stdio") {
    const [command, ...args] = JSON.parse(process.env.MCP_SERVER);
    transport = new StdioClientTransport({ command, args, cwd: repo, env: JSON.parse(process.env.MCP_ENV), stderr: "inherit" });
  } else {
    transport = new StreamableHTTPClientTransport(new URL(process.env.MCP_URL),
      { requestInit: { headers: { Authorization: "Bearer " + token } } });
  }
  await client.connect(transport);
  return client;
}

async function call(client, name, args) {
  return client.callTool({ name, arguments: args });
}

async function happy(client, name, args) {
  const r = await call(client, name, args);
  ok(!r.isError, name + " happy path" + (r.isError ? ": " + text(r) : ""));
  ok(r.structuredContent && typeof r.structuredContent === "object", name + " answers structured JSON");
  return r.structuredContent;
}

async function bad(client, name, args, expect) {
  const r = await call(client, name, args);
  const t = text(r);
  ok(r.isError === true, name + " bad input is an error (" + JSON.stringify(args) + ")");
  ok(t.split("\n").length === 1 && t.length > 10 && t.length < 600, name + " error is one line: " + t);
  ok(!/Exception|\tat |\.java:\d+/.test(t), name + " error has no stack trace");
  if (expect) ok(t.includes(expect), name + " error says '" + expect + "'");
}

function rawPost(headers) {
  const url = new URL(process.env.MCP_URL);
  const body = JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: {
    protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } } });
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: "POST",
      headers: Object.assign({ "Content-Type": "application/json", Accept: "application/json, text/event-stream",
        "Content-Length": Buffer.byteLength(body) }, headers) }, res => {
      let data = "";
      res.on("data", d => data += d);
      res.on("end", () => resolve({ status: res.statusCode, body: data }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function waitIdle(client) {
  for (let i = 0; i < 300; i++) {
    const s = await happyQuiet(client, "loki_state_get", {});
    if (!s.run_active) return;
    await new Promise(r => setTimeout(r, 200));
  }
  ok(false, "the started run ended within 60 s");
}

async function happyQuiet(client, name, args) {
  const r = await call(client, name, args);
  if (r.isError) ok(false, name + ": " + text(r));
  return r.structuredContent;
}

const TOOLS = ["loki_project_status", "loki_state_get", "loki_quality_report", "loki_proof_list", "loki_proof_verify",
  "loki_complete_task", "loki_pause", "loki_resume", "loki_stop", "loki_start_project", "loki_checkpoint_list",
  "loki_checkpoint_create", "loki_checkpoint_diff", "loki_checkpoint_restore", "loki_task_queue_list",
  "loki_task_queue_add", "loki_task_queue_update", "loki_memory_retrieve", "loki_memory_store_pattern", "mem_search",
  "mem_timeline", "mem_get", "loki_consolidate_memory"];

async function main() {
  if (mode === "http") {
    ok((await rawPost({})).status === 401, "HTTP without a token is refused (401)");
    ok((await rawPost({ Authorization: "Bearer loki_wrong" })).status === 401, "HTTP with a wrong token is refused (401)");
    const url = new URL(process.env.MCP_URL);
    ok((await rawPost({ Authorization: "Bearer " + process.env.MCP_TOKEN, Host: "evil.example:" + url.port })).status === 403,
      "HTTP with a foreign Host header is refused (403)");
    ok((await rawPost({ Authorization: "Bearer " + process.env.MCP_TOKEN, Origin: "http://evil.example" })).status === 403,
      "HTTP with a foreign Origin is refused (403)");
    const ro = await connect(process.env.MCP_READ_TOKEN);
    await happy(ro, "loki_project_status", {});
    await bad(ro, "loki_checkpoint_create", { message: "x" }, "scope");
    await ro.close();
  }

  const client = await connect(process.env.MCP_TOKEN);
  const listed = (await client.listTools()).tools;
  const names = listed.map(t => t.name);
  for (const t of TOOLS) ok(names.includes(t), "tools/list has " + t);
  const ajv = new Ajv({ strict: false });
  for (const t of listed) {
    ok(t.inputSchema && t.inputSchema.type === "object" && t.description, t.name + " has a description and an object schema");
    let valid = true;
    try { ajv.compile(t.inputSchema); } catch (e) { valid = false; }
    ok(valid, t.name + " schema compiles");
  }

  // reads
  const status = await happy(client, "loki_project_status", {});
  ok(typeof status.status === "string", "status has a status");
  await happy(client, "loki_state_get", {});
  await happy(client, "loki_quality_report", {});
  const proofs = await happy(client, "loki_proof_list", {});
  ok(proofs.proofs.some(p => p.run_id === runId), "the run's proof is listed");
  const v = await happy(client, "loki_proof_verify", { run_id: runId });
  ok(v.ok === true, "the proof verifies");
  await bad(client, "loki_proof_verify", { run_id: "../etc" }, "run_id");
  await bad(client, "loki_proof_verify", { run_id: "nope" }, "not found");
  await bad(client, "loki_project_status", { bogus: 1 }, "bogus");
  await bad(client, "loki_state_get", { x: true });
  await bad(client, "loki_quality_report", { x: 1 });
  await bad(client, "loki_proof_list", { x: 1 });

  // tasks
  const tid = "t-" + mode;
  const added = await happy(client, "loki_task_queue_add", { title: "Add subtraction", id: tid, priority: "high" });
  ok(added.task.id === tid, "task added with its id");
  await bad(client, "loki_task_queue_add", { title: "dup", id: tid }, "already");
  await bad(client, "loki_task_queue_add", { description: "no title" }, "title");
  let q = await happy(client, "loki_task_queue_list", { queue: "pending" });
  ok(q.pending.some(t => t.id === tid), "the task is pending");
  await bad(client, "loki_task_queue_list", { queue: "nowhere" }, "one of");
  const up = await happy(client, "loki_task_queue_update", { task_id: tid, status: "completed", note: "done" });
  ok(up.to_queue === "completed", "task moved to completed");
  q = await happy(client, "loki_task_queue_list", {});
  ok(q.completed.some(t => t.id === tid) && !q.pending.some(t => t.id === tid), "the queue files reflect the move");
  await bad(client, "loki_task_queue_update", { task_id: "missing", status: "failed" }, "not found");
  await bad(client, "loki_task_queue_update", { task_id: tid, status: "exploded" }, "one of");

  // memory
  const pat = await happy(client, "loki_memory_store_pattern", { pattern: "Run mvn -q test before claiming the " + mode + " work is done", title: "Test first " + mode, tags: ["testing"] });
  const pid = pat.id;
  const found = await happy(client, "mem_search", { query: "claiming done test", kind: "pattern" });
  ok(found.results.some(r => r.id === pid), "mem_search finds the stored pattern");
  const got = await happy(client, "mem_get", { id: pid });
  ok(got.memory.body.includes("mvn -q test"), "mem_get returns it in full");
  const tl = await happy(client, "mem_timeline", { limit: 5 });
  ok(tl.memories.length > 0 && tl.total >= 2, "mem_timeline lists memories (the run's episode and the pattern)");
  const ret = await happy(client, "loki_memory_retrieve", { query: "calculator add function", top_k: 3, token_budget: 500 });
  ok(ret.results.some(r => r.kind === "episode"), "loki_memory_retrieve finds the earlier run's episode");
  await happy(client, "loki_consolidate_memory", {});
  await bad(client, "mem_get", { id: "missing-id" }, "not found");
  await bad(client, "mem_search", { query: "" }, "query");
  await bad(client, "mem_timeline", { limit: 0 }, "between");
  await bad(client, "loki_memory_retrieve", { query: "x", top_k: 99 }, "between");
  await bad(client, "loki_memory_store_pattern", { tags: ["x"] }, "pattern");
  await bad(client, "loki_consolidate_memory", { now: true });

  // checkpoints and a rollback through MCP, then its undo
  const a = path.join(repo, "src-" + mode + ".txt");
  fs.writeFileSync(a, "version one\n");
  const cp = await happy(client, "loki_checkpoint_create", { message: "before the change" });
  const list = await happy(client, "loki_checkpoint_list", { limit: 5 });
  ok(list.checkpoints[0].id === cp.id, "the new checkpoint is listed first");
  fs.writeFileSync(a, "version two\n");
  const extra = path.join(repo, "new-" + mode + ".txt");
  fs.writeFileSync(extra, "created after the checkpoint\n");
  const readme = fs.readFileSync(path.join(repo, "README.md"));
  fs.unlinkSync(path.join(repo, "README.md"));
  const diff = await happy(client, "loki_checkpoint_diff", { checkpoint_id: cp.id });
  const byPath = Object.fromEntries(diff.files.map(f => [f.path, f.status]));
  ok(byPath[path.basename(a)] === "M" && byPath[path.basename(extra)] === "D" && byPath["README.md"] === "A",
    "the diff lists every file a rollback would change: " + JSON.stringify(byPath));
  const dry = await happy(client, "loki_checkpoint_restore", { checkpoint_id: cp.id });
  ok(dry.dry_run === true && fs.readFileSync(a, "utf8") === "version two\n" && fs.existsSync(extra),
    "restore without confirm is a dry run that changes nothing");
  const done = await happy(client, "loki_checkpoint_restore", { checkpoint_id: cp.id, confirm: true });
  ok(fs.readFileSync(a, "utf8") === "version one\n", "rollback restored the changed file exactly");
  ok(!fs.existsSync(extra), "rollback removed the file created after the checkpoint");
  ok(fs.readFileSync(path.join(repo, "README.md")).equals(readme), "rollback brought back the deleted file");
  ok(typeof done.pre_rollback_id === "string" && done.undo.arguments.checkpoint_id === done.pre_rollback_id,
    "the answer names the pre-rollback checkpoint that undoes it");
  await happy(client, "loki_checkpoint_restore", done.undo.arguments);
  ok(fs.readFileSync(a, "utf8") === "version two\n" && fs.existsSync(extra) && !fs.existsSync(path.join(repo, "README.md")),
    "restoring the pre-rollback checkpoint undid the rollback");
  fs.writeFileSync(path.join(repo, "README.md"), readme);
  await bad(client, "loki_checkpoint_diff", { checkpoint_id: "no-such-cp" }, "not found");
  await bad(client, "loki_checkpoint_diff", {}, "checkpoint_id");
  await bad(client, "loki_checkpoint_restore", { checkpoint_id: "a/b", confirm: true }, "checkpoint_id");
  await bad(client, "loki_checkpoint_list", { limit: "ten" }, "whole number");
  await bad(client, "loki_checkpoint_create", { message: 42 }, "string");

  // control, completion, start
  for (const t of ["loki_pause", "loki_resume", "loki_stop", "loki_resume"]) await happy(client, t, {});
  await bad(client, "loki_pause", { now: 1 });
  await bad(client, "loki_resume", { now: 1 });
  await bad(client, "loki_stop", { now: 1 });
  const claim = await happy(client, "loki_complete_task", { completion_statement: "Calculator done", evidence: "tests pass", confidence: "high" });
  ok(claim.recorded === true && fs.existsSync(path.join(repo, ".loki/signals/TASK_COMPLETION_CLAIMED")),
    "the completion claim is written where the loop reads it");
  await bad(client, "loki_complete_task", { confidence: "total" });
  await bad(client, "loki_start_project", { spec: "missing.md" }, "not found");
  await bad(client, "loki_start_project", { spec: "../outside.md" }, "inside");
  const started = await happy(client, "loki_start_project", { spec: "PRD.md", max_iterations: 1 });
  ok(started.started === true && started.pid > 0, "loki_start_project started a run");
  await waitIdle(client);

  // resources
  const res = (await client.listResources()).resources.map(r => r.uri);
  for (const u of ["loki://state/continuity", "loki://queue/pending", "loki://memory/index"]) {
    ok(res.includes(u), "resources/list has " + u);
    const c = await client.readResource({ uri: u });
    ok(c.contents.length === 1 && c.contents[0].text.length > 0, "resource " + u + " reads");
  }
  const tpl = (await client.listResourceTemplates()).resourceTemplates.map(t => t.uriTemplate);
  ok(tpl.includes("loki://proofs/{run_id}"), "resource template loki://proofs/{run_id} is listed");
  const pr = await client.readResource({ uri: "loki://proofs/" + runId });
  ok(JSON.parse(pr.contents[0].text).run_id === runId, "the proof resource reads the run's proof");
  const mi = JSON.parse((await client.readResource({ uri: "loki://memory/index" })).contents[0].text);
  ok(mi.count >= 2, "the memory index counts the memories");
  let refused = false;
  try { await client.readResource({ uri: "loki://proofs/nope" }); } catch (e) { refused = true; }
  ok(refused, "an unknown proof resource is an error");

  await client.close();
  console.log("OK " + checks + " checks");
}

main().catch(e => { console.log("FAIL: " + (e && e.stack || e)); process.exit(1); });
