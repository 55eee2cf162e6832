-- A small test runner for headless Neovim: named tests, asserts with readable messages, a
-- closing "N passed, N failed" line and the exit code. No busted or plenary needed.

local H = {}

local results = { passed = 0, failed = 0, failures = {} }

local function fmt(value)
  return type(value) == "string" and string.format("%q", value) or vim.inspect(value)
end

--- Prints a line to stdout right away (print() in -l mode goes to stdout too, but buffered).
function H.log(msg)
  io.stdout:write(msg .. "\n")
  io.stdout:flush()
end

--- Fails the current test with `msg` unless `cond` holds.
function H.ok(cond, msg)
  if not cond then
    error(msg or "assertion failed", 2)
  end
  return cond
end

--- Fails the current test unless `actual` equals `expected` (deep comparison).
function H.eq(expected, actual, what)
  if not vim.deep_equal(expected, actual) then
    error(("%s:\n    expected %s\n    got      %s"):format(what or "values differ", fmt(expected), fmt(actual)), 2)
  end
end

--- Fails unless `haystack` contains the plain string `needle`.
function H.contains(haystack, needle, what)
  if type(haystack) ~= "string" or not haystack:find(needle, 1, true) then
    error(("%s: %s not found in %s"):format(what or "missing text", fmt(needle), fmt(haystack)), 2)
  end
end

--- Waits up to `ms` for `cond()` to return a truthy value, processing events meanwhile.
--- Returns that value, or nil and fails when `what` is given.
function H.wait(ms, cond, what)
  local value
  local ok = vim.wait(ms, function()
    value = cond()
    return value and true or false
  end, 20)
  if not ok and what then
    error(("timed out after %d ms waiting for %s"):format(ms, what), 2)
  end
  return value
end

--- Runs one named test; an error inside marks it failed and the run goes on.
function H.test(name, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    results.passed = results.passed + 1
    H.log("  ok   " .. name)
  else
    results.failed = results.failed + 1
    table.insert(results.failures, name)
    H.log("  FAIL " .. name)
    for line in tostring(err):gmatch("[^\n]+") do
      H.log("       " .. line)
    end
  end
end

--- Prints the closing line, appends the counts to $MICA_TEST_RESULTS (for run.sh's total)
--- and exits non-zero when a test failed.
function H.finish(suite)
  H.log(("%s: %d passed, %d failed"):format(suite, results.passed, results.failed))
  local out = os.getenv("MICA_TEST_RESULTS")
  if out and out ~= "" then
    local f = assert(io.open(out, "a"))
    f:write(("%s %d %d\n"):format(suite, results.passed, results.failed))
    f:close()
  end
  if results.failed > 0 then
    vim.cmd("cquit 1")
  else
    vim.cmd("qall!")
  end
end

return H
