-- Plugin tests that need no language server: filetype detection, buffer options, syntax groups,
-- the help file, root finding and the message when `mica` is missing. Fast; run them first.
--
-- nvim --headless -u editors/nvim/test/minimal_init.lua -l editors/nvim/test/smoke.lua

local test_dir = vim.g.mica_test_dir
local H = dofile(test_dir .. "/harness.lua")
local fixtures = test_dir .. "/fixtures"
-- The checkout this plugin belongs to (editors/nvim/test -> the repository root).
local repo = vim.fs.dirname(vim.fs.dirname(vim.g.mica_plugin_dir))

H.log("smoke (" .. tostring(vim.version()) .. ")")

-- The highlight group at the first character of the `nth` occurrence of `text` in the buffer,
-- or `offset` bytes after it.
local function group_at(text, nth, offset)
  nth = nth or 1
  for lnum, line in ipairs(vim.api.nvim_buf_get_lines(0, 0, -1, false)) do
    local from = 1
    while true do
      local col = line:find(text, from, true)
      if not col then
        break
      end
      nth = nth - 1
      if nth == 0 then
        return vim.fn.synIDattr(vim.fn.synID(lnum, col + (offset or 0), 1), "name")
      end
      from = col + 1
    end
  end
  error(("%q does not occur in the buffer"):format(text))
end

H.test("*.mica is detected as filetype mica, with its syntax loaded", function()
  vim.cmd.edit(fixtures .. "/workspace/brief.mica")
  H.eq("mica", vim.bo.filetype, "filetype")
  H.eq("mica", vim.b.current_syntax, "b:current_syntax")
end)

H.test("ftplugin sets commentstring, prose wrapping and ids with '-' as words", function()
  vim.cmd.edit(fixtures .. "/workspace/brief.mica")
  H.eq("<!-- %s -->", vim.bo.commentstring, "commentstring")
  H.ok(vim.wo.wrap and vim.wo.linebreak, "wrap and linebreak are on")
  H.ok(vim.tbl_contains(vim.opt_local.iskeyword:get(), "-"), "iskeyword includes '-'")
  H.eq(0, vim.bo.textwidth, "textwidth")
  -- The user-visible effect of 'iskeyword': `*` and <cword> take the whole id.
  local line = vim.fn.search([[#centres conf=moderate]], "w")
  H.ok(line > 0, "fixture line found")
  vim.fn.cursor(line, vim.fn.col(".") + #"#centres conf=")
  H.eq("conf=moderate", vim.fn.expand("<cWORD>"):sub(1, 13), "cursor placement")
  vim.fn.setline(line + 1, "{#kj-success}")
  vim.fn.cursor(line + 1, 8)
  H.eq("kj-success", vim.fn.expand("<cword>"), "<cword> on an id with a dash")
  vim.cmd("edit!")
end)

H.test("gcc comments a line out with <!-- -->", function()
  if vim.fn.has("nvim-0.10") == 0 then
    return -- gc is built in from Neovim 0.10 on.
  end
  vim.cmd.enew()
  vim.bo.filetype = "mica"
  vim.api.nvim_buf_set_lines(0, 0, -1, false, { "A line of prose." })
  vim.cmd("normal gcc")
  H.eq({ "<!-- A line of prose. -->" }, vim.api.nvim_buf_get_lines(0, 0, -1, false), "buffer after gcc")
  vim.cmd("bwipeout!")
end)

H.test("leaving the filetype undoes the buffer options", function()
  vim.cmd.enew()
  vim.bo.filetype = "mica"
  H.eq("<!-- %s -->", vim.bo.commentstring, "commentstring as mica")
  vim.bo.filetype = "text"
  H.ok(vim.bo.commentstring ~= "<!-- %s -->", "commentstring restored, got " .. vim.bo.commentstring)
  H.ok(not vim.tbl_contains(vim.opt_local.iskeyword:get(), "-"), "iskeyword restored")
  vim.cmd("bwipeout!")
end)

H.test("syntax highlighting covers every construct", function()
  vim.cmd.edit(fixtures .. "/syntax.mica")
  local cases = {
    { "---", 1, "micaFrontMatterDelimiter" },
    { "title", 1, "micaFrontMatterKey" },
    { "<!--", 1, "micaComment" },
    { "TODO", 1, "micaTodo" },
    { "@source", 1, "micaSourceKeyword" },
    { "epoch", 1, "micaSourceId" },
    { '"seeds/', 1, "micaSourcePath" },
    { "title=", 1, "micaAttrKey" },
    { [[\"Epoch]], 1, "micaStringEscape" },
    { "The ", 1, "micaString" },
    { "reliability", 1, "micaAttrKey" },
    { "reliability=D", 1, "micaValue", #"reliability=" },
    { "## ", 1, "micaHeadingMarker" },
    { "Heading", 1, "micaHeading" },
    { "a claim", 1, "micaClaim" },
    { "[Escaped", 1, "micaClaimBracket" },
    { "Escaped", 1, "micaClaim" },
    { [[\[]], 1, "micaEscape" },
    { "https://example.org", 1, "micaUrl" },
    { "]{#c1", 1, "micaClaimBracket" },
    { "{#c1", 1, "micaAttrBrace" },
    { "#c1", 1, "micaId" },
    { ".tag-one", 1, "micaTag" },
    { "conf", 1, "micaAttrKey" },
    { "very-likely", 1, "micaValue" },
    { "cite", 2, "micaCiteKey" },
    { "epoch:", 1, "micaCiteSource" },
    { "L5-6", 1, "micaLineLocator" },
    { '"the CCP', 1, "micaQuote" },
    { "...", 1, "micaElision" },
    { "#h1", 2, "micaIdRef" },
    { "[not a claim]", 1, "" },
    { "{#nope}", 1, "" },
    { "{#nope2}", 1, "" },
  }
  local wrong = {}
  for _, case in ipairs(cases) do
    local got = group_at(case[1], case[2], case[4])
    if got ~= case[3] then
      table.insert(wrong, ("%q (#%d): expected %q, got %q"):format(case[1], case[2], case[3], got))
    end
  end
  H.eq({}, wrong, "syntax groups")
end)

H.test(":help mica works (doc/mica.txt has valid, unique tags)", function()
  local tmp = vim.fn.tempname()
  vim.fn.mkdir(tmp .. "/doc", "p")
  vim.fn.writefile(vim.fn.readfile(vim.g.mica_plugin_dir .. "/doc/mica.txt"), tmp .. "/doc/mica.txt")
  vim.cmd("helptags " .. vim.fn.fnameescape(tmp .. "/doc"))
  vim.opt.runtimepath:prepend(tmp)
  for _, tag in ipairs({ "mica.txt", "mica-setup", "mica-commands", ":MicaInfo", ":MicaRestart", ":MicaInstall", "mica-syntax" }) do
    vim.cmd("help " .. tag)
    H.contains(vim.api.nvim_buf_get_name(0), "mica.txt", "help " .. tag)
    vim.cmd("helpclose")
  end
end)

H.test("find_root prefers mica.toml, then .git, then the file's folder", function()
  local mica = require("mica")
  local tmp = vim.fn.resolve(vim.fn.tempname())
  vim.fn.mkdir(tmp .. "/repo/.git", "p")
  vim.fn.mkdir(tmp .. "/repo/ws/sub", "p")
  vim.fn.mkdir(tmp .. "/repo/other", "p")
  vim.fn.mkdir(tmp .. "/loose", "p")
  vim.fn.writefile({}, tmp .. "/repo/ws/mica.toml")
  local function root_of(path)
    vim.cmd.edit(path)
    local root = mica.find_root(0, { "mica.toml", ".git" })
    vim.cmd("bwipeout!")
    return root
  end
  H.eq(tmp .. "/repo/ws", root_of(tmp .. "/repo/ws/sub/a.mica"), "nested in a workspace")
  H.eq(tmp .. "/repo", root_of(tmp .. "/repo/other/b.mica"), "in a git repository without mica.toml")
  H.eq(tmp .. "/loose", root_of(tmp .. "/loose/c.mica"), "no marker at all")
end)

H.test("a missing server gets one warning, with the install command, when a brief is opened", function()
  local mica = require("mica")
  vim.cmd("silent! %bwipeout!")
  local messages = {}
  local notify = vim.notify
  vim.notify = function(msg, level)
    table.insert(messages, { msg = msg, level = level })
  end
  local ok, err = pcall(function()
    mica.setup({ cmd = { "/nonexistent/mica", "lsp" } })
    H.eq({}, messages, "messages before any Mica buffer is open")
    vim.cmd.edit(fixtures .. "/workspace/brief.mica")
    vim.cmd.edit(fixtures .. "/syntax.mica")
  end)
  vim.notify = notify
  H.ok(ok, tostring(err))
  H.eq(1, #messages, "number of messages after opening two briefs")
  H.eq(vim.log.levels.WARN, messages[1].level, "level")
  H.contains(messages[1].msg, "/nonexistent/mica", "message names the command")
  H.contains(messages[1].msg, ":MicaInstall", "message names the install command")
  H.contains(messages[1].msg, "cargo install --locked --path " .. repo .. "/crates/mica-cli",
    "message gives the shell command, with this checkout's path")

  H.wait(200, function() return false end)
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  H.eq(0, #get({ name = "mica" }), "clients started")
  H.eq(2, vim.fn.exists(":MicaInfo"), ":MicaInfo exists")
  H.eq(2, vim.fn.exists(":MicaRestart"), ":MicaRestart exists")
  H.eq(2, vim.fn.exists(":MicaInstall"), ":MicaInstall exists")
  H.contains(table.concat(mica.info_lines(), "\n"),
    "server: NOT FOUND: run :MicaInstall (it runs `cargo install --locked --path " .. repo .. "/crates/mica-cli`)",
    ":MicaInfo report")
end)

-- The text of `:checkhealth mica`, from the buffer it opens.
local function checkhealth()
  vim.cmd("checkhealth mica")
  local text
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.bo[buf].filetype == "checkhealth" then
      text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), "\n")
      vim.api.nvim_buf_delete(buf, { force = true })
    end
  end
  return H.ok(text, ":checkhealth opened no checkhealth buffer")
end

H.test(":checkhealth mica says exactly what to run when the server is missing", function()
  require("mica").setup({ cmd = { "/nonexistent/mica", "lsp" } })
  local report = checkhealth()
  H.contains(report, "ERROR the language server `/nonexistent/mica` was not found", "the error")
  H.contains(report, "Run :MicaInstall, or in a shell: cargo install --locked --path " .. repo .. "/crates/mica-cli",
    "the command to run, with this checkout's path")
  H.contains(report, "Then run :MicaRestart", "what to do after installing")
end)

H.test("the install command builds this checkout's mica binary, and the documented lazy.nvim build step is it", function()
  local mica = require("mica")
  local cmd = mica.install_command()
  H.eq({ "cargo", "install", "--locked", "--path", repo .. "/crates/mica-cli" }, cmd, "install_command()")
  local manifest = table.concat(vim.fn.readfile(cmd[5] .. "/Cargo.toml"), "\n")
  H.contains(manifest, 'name = "mica-cli"', "the crate at the install path")
  H.contains(manifest, '[[bin]]\nname = "mica"', "the crate builds the `mica` binary")
  -- lazy.nvim runs a string `build` as a command in the plugin's folder: split on spaces, as lazy does.
  for _, doc in ipairs({ repo .. "/editors/README.md", vim.g.mica_plugin_dir .. "/doc/mica.txt" }) do
    local text = table.concat(vim.fn.readfile(doc), "\n")
    local build = text:match('dir = "/path/to/mica/editors/nvim",%s*\n[^}]-build = "([^"]+)"')
    H.ok(build, doc .. " documents a lazy.nvim spec with a build step")
    local args = vim.split(build, "%s+")
    args[5] = vim.fs.normalize(vim.fn.fnamemodify(vim.g.mica_plugin_dir .. "/" .. args[5], ":p")):gsub("/$", "")
    H.eq(cmd, args, "the build step of " .. doc .. ", run in " .. vim.g.mica_plugin_dir)
  end
end)

H.test(":MicaInstall runs the install command, then finds the server in Cargo's bin folder", function()
  local mica = require("mica")
  local tmp = vim.fn.resolve(vim.fn.tempname())
  vim.fn.mkdir(tmp .. "/path", "p")
  local args_log = tmp .. "/cargo-args"
  -- A stand-in for cargo: records its arguments and "installs" a mica into $CARGO_HOME/bin, as
  -- `cargo install` does (a real build takes minutes; the e2e suites run the real server).
  vim.fn.writefile({
    "#!/bin/sh",
    'for arg in "$@"; do echo "$arg"; done > ' .. vim.fn.shellescape(args_log),
    'mkdir -p "$CARGO_HOME/bin"',
    'printf \'#!/bin/sh\\necho "mica 9.9.9"\\n\' > "$CARGO_HOME/bin/mica"',
    'chmod +x "$CARGO_HOME/bin/mica"',
  }, tmp .. "/path/cargo")
  vim.fn.setfperm(tmp .. "/path/cargo", "rwxr-xr-x")
  local saved = { PATH = vim.env.PATH, CARGO_HOME = vim.env.CARGO_HOME }
  local notify = vim.notify
  local messages = {}
  vim.notify = function(msg)
    table.insert(messages, msg)
  end
  local ok, err = pcall(function()
    vim.env.PATH = tmp .. "/path:/usr/bin:/bin"
    vim.env.CARGO_HOME = tmp .. "/cargo"
    mica.setup({})
    H.eq(nil, mica.executable(), "no mica before the install")
    local code
    mica.install(function(c)
      code = c
    end)
    H.wait(10000, function()
      return code
    end, "the install to finish")
    H.eq(0, code, "exit status of the install")
    local cmd = mica.install_command()
    H.eq(vim.list_slice(cmd, 2), vim.fn.readfile(args_log), "the arguments cargo was run with")
    H.eq(tmp .. "/cargo/bin/mica", mica.executable(), "the installed server, found off PATH")
    H.eq("9.9.9", mica.server_version(), "its version")
    H.contains(table.concat(messages, "\n"), "installed " .. tmp .. "/cargo/bin/mica", "the message after installing")
  end)
  vim.notify = notify
  vim.env.PATH, vim.env.CARGO_HOME = saved.PATH, saved.CARGO_HOME
  vim.cmd("silent! %bwipeout!")
  H.ok(ok, tostring(err))
end)

H.test("setup() rejects options of the wrong type with a clear error", function()
  local ok, err = pcall(require("mica").setup, { cmd = "mica lsp" })
  H.ok(not ok, "setup accepted a string cmd")
  H.contains(err, "option `cmd` must be a table or function, got string", "error message")
end)

H.finish("smoke")
