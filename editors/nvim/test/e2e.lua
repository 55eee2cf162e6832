-- End-to-end tests of the plugin against the real language server (`mica lsp`), in headless
-- Neovim: diagnostics on the expected lines, hover on a claim, go-to-definition into the seed
-- file, live updates, :MicaInfo and :MicaRestart.
--
-- run.sh prepares the environment; by hand:
--   MICA_BIN=/path/to/mica MICA_WORKSPACE=/tmp/ws \
--     nvim --headless -u editors/nvim/test/minimal_init.lua -l editors/nvim/test/e2e.lua
-- where /tmp/ws is a copy of test/fixtures/workspace with the repository's seeds/ in it.
-- MICA_E2E_MODE=legacy forces the pre-0.11 path (vim.lsp.start on FileType).

local H = dofile(vim.g.mica_test_dir .. "/harness.lua")

local mode = os.getenv("MICA_E2E_MODE") or "enable"
local suite = mode == "legacy" and "e2e-legacy" or "e2e"
local bin = os.getenv("MICA_BIN")
local workspace = os.getenv("MICA_WORKSPACE")
-- Generous for a debug build on a loaded CI machine; a healthy run takes well under a second.
local timeout = tonumber(os.getenv("MICA_E2E_TIMEOUT_MS") or "") or 15000

H.log(("%s (%s, Neovim %s)"):format(suite, mode, tostring(vim.version())))
if not bin or vim.fn.executable(bin) ~= 1 or not workspace or vim.fn.isdirectory(workspace) ~= 1 then
  H.test("environment", function()
    error(("MICA_BIN (%s) must be an executable and MICA_WORKSPACE (%s) a folder; use editors/nvim/test/run.sh")
      :format(tostring(bin), tostring(workspace)))
  end)
  H.finish(suite)
  return
end
workspace = vim.fn.resolve(vim.fn.fnamemodify(workspace, ":p")):gsub("/$", "")
local brief = workspace .. "/brief.mica"
local wiki = workspace .. "/seeds/002_ea804cd81d83a2a9.txt"

local get_clients = vim.lsp.get_clients or vim.lsp.get_active_clients

local mica = require("mica")
if mode == "legacy" then
  mica.has_lsp_config = function()
    return false
  end
end

-- Messages from the plugin and from Neovim's LSP client, kept so that a warning cannot pass
-- unnoticed, and printed on their own lines.
local notes = {}
vim.notify = function(msg, level)
  table.insert(notes, { msg = msg, level = level })
  H.log("  (message) " .. tostring(msg))
end

mica.setup({ cmd = { bin, "lsp" } })
vim.cmd.edit(brief)
local buf = vim.api.nvim_get_current_buf()

-- The lines (1-based) of `text` in the brief.
local function line_of(text)
  for lnum, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    if line:find(text, 1, true) then
      return lnum, line
    end
  end
  error(("%q is not in the brief"):format(text))
end

-- The expected diagnostics, read from `<!-- expect: code, code -->` comments: "line:code" keys.
local function expected_diagnostics()
  local expected = {}
  for lnum, line in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    local codes = line:match("<!%-%- expect: ([%w%-, ]+) %-%->")
    for code in (codes or ""):gmatch("[%w%-]+") do
      table.insert(expected, ("%d:%s"):format(lnum, code))
    end
  end
  table.sort(expected)
  return expected
end

local function actual_diagnostics()
  local actual = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    table.insert(actual, ("%d:%s"):format(d.lnum + 1, tostring(d.code)))
  end
  table.sort(actual)
  return actual
end

local function describe_diagnostics()
  return vim.inspect(vim.tbl_map(function(d)
    return ("%d:%d %s %s"):format(d.lnum + 1, d.col + 1, tostring(d.code), d.message)
  end, vim.diagnostic.get(buf)))
end

-- The text of a hover's contents: MarkupContent, a MarkedString or a list of MarkedStrings.
local function hover_text(contents)
  if type(contents) == "string" then
    return contents
  elseif contents.value then
    return contents.value
  end
  return table.concat(vim.tbl_map(hover_text, contents), "\n")
end

local function attached_client()
  return get_clients({ name = "mica", bufnr = buf })[1]
end

-- Waits until the server has published exactly `expected`, then compares (so a failure shows
-- what it did publish).
local function expect_diagnostics(expected, what)
  H.wait(timeout, function()
    return vim.deep_equal(expected, actual_diagnostics())
  end)
  H.eq(expected, actual_diagnostics(), what .. "; all diagnostics: " .. describe_diagnostics())
end

-- Set once the server is up; later tests fail at once without it instead of each waiting out
-- its timeout.
local server_up = false
local function test(name, fn)
  H.test(name, function()
    H.ok(server_up, "not run: the server did not start (see the LSP log)")
    fn()
  end)
end

H.test("the server starts and attaches, rooted at the workspace's mica.toml", function()
  local client = H.wait(timeout, function()
    local c = attached_client()
    return c and c.initialized and c
  end, "the mica client to attach and initialize")
  server_up = true
  local root = client.root_dir or client.config.root_dir
  H.eq(workspace, vim.fn.resolve(root), "root_dir")
  H.eq(1, #get_clients({ name = "mica" }), "number of mica clients")
  if mode == "legacy" then
    H.ok(#vim.api.nvim_get_autocmds({ group = "mica.lsp", event = "FileType" }) == 1, "legacy FileType autocmd")
  else
    H.ok(vim.lsp.is_enabled == nil or vim.lsp.is_enabled("mica"), "vim.lsp.enable('mica')")
  end
end)

test("diagnostics appear with their codes on the expected lines, and nowhere else", function()
  local expected = expected_diagnostics()
  H.ok(#expected >= 2, "the fixture declares its expected diagnostics")
  expect_diagnostics(expected, "diagnostics (line:code)")
  local d = vim.tbl_filter(function(x)
    return x.code == "quote-not-found"
  end, vim.diagnostic.get(buf))[1]
  H.eq(vim.diagnostic.severity.ERROR, d.severity, "severity of quote-not-found")
  -- The range covers the quote (with or without its quotation marks), not the whole claim.
  local _, line = line_of("#centres")
  local open = line:find('"the CCP', 1, true) - 1
  local close = line:find('centers"', 1, true) + #"centers"
  H.ok(d.lnum == d.end_lnum and d.col >= open and d.col <= open + 1 and d.end_col >= close - 1 and d.end_col <= close,
    ("quote-not-found range %d:%d-%d:%d should cover the quote at columns %d-%d"):format(
      d.lnum + 1, d.col, d.end_lnum + 1, d.end_col, open, close))
  -- The source says $300 billion; the message should lead the writer to the fix.
  H.contains(d.message .. vim.inspect(d.user_data or {}), "$300 billion", "quote-not-found suggests the closest passage")
end)

if mode ~= "legacy" then
  test("hover on a claim shows the cited source passage", function()
    local lnum, line = line_of("#funding")
    local col = line:find("government committed", 1, true)
    vim.api.nvim_win_set_cursor(0, { lnum, col - 1 })
    local text = H.wait(timeout, function()
      local ok, result = pcall(vim.lsp.buf_request_sync, buf, "textDocument/hover", {
        textDocument = { uri = vim.uri_from_bufnr(buf) },
        -- The line is ASCII up to the cursor, so the UTF-16 column is the byte column.
        position = { line = lnum - 1, character = col - 1 },
      }, 2000)
      for _, res in pairs(ok and result or {}) do
        local contents = res.result and res.result.contents
        if contents then
          return hover_text(contents)
        end
      end
    end, "a hover result")
    -- The quote elides the text between the two parts; the passage from the source has it.
    H.contains(text, "COVID-19", "hover shows the matched passage from the source, elided part included")
    H.contains(text, "committed to investing roughly US", "hover shows the quoted passage")
    H.contains(text, "seeds/002_ea804cd81d83a2a9.txt:12", "hover names the source file and line")

    -- The same through the user's path: K opens a floating window with the text.
    vim.lsp.buf.hover()
    local float = H.wait(timeout, function()
      for _, win in ipairs(vim.api.nvim_list_wins()) do
        if vim.api.nvim_win_get_config(win).relative ~= "" then
          return win
        end
      end
    end, "the hover window")
    local shown = table.concat(vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(float), 0, -1, false), "\n")
    H.contains(shown, "COVID-19", "hover window")
    vim.api.nvim_win_close(float, true)
  end)
end

test("go to definition on a quote lands in the seed file on the quoted text", function()
  local lnum, line = line_of("#signed")
  local col = line:find('"signed by Chinese Premier', 1, true)
  vim.api.nvim_win_set_cursor(0, { lnum, col + 3 })
  vim.lsp.buf.definition()
  H.wait(timeout, function()
    return vim.fn.resolve(vim.api.nvim_buf_get_name(0)) == wiki
  end, "the jump to " .. wiki)
  local target = vim.fn.readfile(wiki)[8]
  -- Line 8 holds Chinese characters and accented pinyin before the quote, so the column checks
  -- the UTF-16 to byte conversion on both sides.
  local want_col = target:find("signed by Chinese Premier Li Keqiang in May 2015", 1, true) - 1
  H.eq({ 8, want_col }, vim.api.nvim_win_get_cursor(0), "cursor (line, byte column)")
  vim.cmd.buffer(buf)
end)

if mode ~= "legacy" then
  test("diagnostics follow edits: fixing the quote clears quote-not-found", function()
    local lnum, line = line_of("$400 billion to establish")
    local fixed = line:gsub("more than %$400 billion to establish", "more than $300 billion to establish")
    vim.api.nvim_buf_set_lines(buf, lnum - 1, lnum, false, { fixed })
    local expected = vim.tbl_filter(function(key)
      return not key:find("quote-not-found", 1, true)
    end, expected_diagnostics())
    -- Revert even when the check fails, so that later tests see the fixture as written.
    local ok, err = pcall(expect_diagnostics, expected, "diagnostics after the fix")
    vim.cmd("edit!")
    if not ok then
      error(err, 0)
    end
    expect_diagnostics(expected_diagnostics(), "diagnostics after reverting the fix")
  end)

  test(":MicaInfo shows the server's path, its version and the workspace root", function()
    local version = vim.trim(vim.fn.system({ bin, "--version" })):gsub("^mica%s+", "")
    H.ok(version:match("^%d+%.%d+%.%d+"), "`mica --version` gives a version, got " .. version)
    local info = mica.info_lines()
    local function line(prefix)
      for _, l in ipairs(info) do
        if vim.startswith(l, prefix) then
          return l
        end
      end
      error(("no %q line in :MicaInfo:\n%s"):format(prefix, table.concat(info, "\n")))
    end
    H.eq("server: " .. bin, line("server: "), ":MicaInfo server path")
    H.eq("server version: " .. version, line("server version: "), ":MicaInfo server version")
    H.eq("workspace root: " .. workspace, vim.fn.resolve(line("workspace root: ")):gsub("/$", ""), ":MicaInfo root")
    -- What the user sees: the command prints the same lines.
    local shown
    local notify = vim.notify
    vim.notify = function(msg)
      shown = msg
    end
    vim.cmd("MicaInfo")
    vim.notify = notify
    H.contains(shown, "server version: " .. version, ":MicaInfo output")
  end)

  test(":checkhealth mica finds the server and reports its version", function()
    local version = vim.trim(vim.fn.system({ bin, "--version" })):gsub("^mica%s+", "")
    vim.cmd("checkhealth mica")
    local report
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if vim.bo[b].filetype == "checkhealth" then
        report = table.concat(vim.api.nvim_buf_get_lines(b, 0, -1, false), "\n")
        vim.api.nvim_buf_delete(b, { force = true })
      end
    end
    vim.cmd.buffer(buf)
    H.ok(report, ":checkhealth opened no checkhealth buffer")
    H.contains(report, "OK server executable: " .. bin, "checkhealth executable")
    H.contains(report, "OK server version: " .. version, "checkhealth version")
    H.ok(not report:find("ERROR", 1, true), "no errors in:\n" .. report)
  end)

  test(":MicaInfo reports the client and :MicaRestart starts a fresh one", function()
    local old = attached_client()
    H.ok(old, "a client before the restart")
    local info = table.concat(mica.info_lines(), "\n")
    H.contains(info, "client " .. old.id, ":MicaInfo lists the client")
    H.contains(info, workspace, ":MicaInfo shows the root")
    H.contains(info, bin, ":MicaInfo shows the executable")
    vim.cmd("MicaRestart")
    local new = H.wait(timeout, function()
      local c = attached_client()
      return c and c.id ~= old.id and c.initialized and c
    end, "a new client after :MicaRestart")
    H.eq(nil, vim.lsp.get_client_by_id(old.id), "the old client is gone")
    H.eq(1, #get_clients({ name = "mica" }), "number of mica clients")
    H.ok(new.attached_buffers[buf], "the new client is attached to the brief")
    expect_diagnostics(expected_diagnostics(), "diagnostics from the restarted server")
  end)
end

H.test("no warnings or errors were shown during the session", function()
  local bad = vim.tbl_filter(function(n)
    return (n.level or 0) >= vim.log.levels.WARN
  end, notes)
  H.eq({}, bad, "warnings")
end)

for _, client in ipairs(get_clients({ name = "mica" })) do
  vim.lsp.stop_client(client.id)
end
H.wait(2000, function()
  return #get_clients({ name = "mica" }) == 0
end)
H.finish(suite)
