-- Starts the Mica language server (`mica lsp`) for Mica documents.
--
-- On Neovim 0.11+ the server is registered with `vim.lsp.config` and `vim.lsp.enable`, so it shows
-- up in `:checkhealth vim.lsp` and can be tuned with `vim.lsp.config("mica", {...})` like any
-- other server. On older versions (0.8 to 0.10) a FileType autocommand calls `vim.lsp.start`.
-- Both paths use the same root: the nearest folder holding `mica.toml`, else the nearest `.git`,
-- else the document's own folder.

local M = {}

--- The name of the client, as shown by `:checkhealth vim.lsp` and `vim.lsp.get_clients()`.
M.name = "mica"

-- This plugin's folder (`editors/nvim` of a Mica checkout), from the path of this file.
local plugin_dir = (function()
  local file = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p")
  return vim.fs.dirname(vim.fs.dirname(vim.fs.dirname(vim.fs.normalize(file))))
end)()

--- The server's crate in the checkout this plugin belongs to (`<checkout>/crates/mica-cli`), or nil
--- when the plugin folder was copied out of its checkout.
function M.crate_dir()
  local crate = vim.fs.dirname(vim.fs.dirname(plugin_dir)) .. "/crates/mica-cli"
  return vim.fn.filereadable(crate .. "/Cargo.toml") == 1 and crate or nil
end

--- The command that builds and installs the server from this checkout (into Cargo's `bin` folder);
--- what `:MicaInstall` and the lazy.nvim `build` step run.
function M.install_command()
  return { "cargo", "install", "--locked", "--path", M.crate_dir() or "crates/mica-cli" }
end

--- The install command as one line to paste into a shell.
function M.install_hint()
  local line = table.concat(vim.tbl_map(vim.fn.shellescape, M.install_command()), " ")
  -- shellescape quotes every word; plain words read better unquoted.
  line = line:gsub("'([%w%-%./_]+)'", "%1")
  return M.crate_dir() and line or (line .. " (in a Mica checkout)")
end

--- Options and their defaults; `setup()` replaces each key given (lists are replaced whole).
M.defaults = {
  -- The server command. A list: the executable, then its arguments.
  cmd = { "mica", "lsp" },
  -- Filetypes the server attaches to.
  filetypes = { "mica" },
  -- Files or folders that mark the workspace root, in order of priority.
  root_markers = { "mica.toml", ".git" },
  -- Sent to the server as `workspace/didChangeConfiguration` settings.
  settings = {},
  -- Called as on_attach(client, bufnr) when the server attaches to a buffer.
  on_attach = nil,
  -- Client capabilities; Neovim's defaults when nil.
  capabilities = nil,
}

--- The options in force after `setup()` (nil before).
M.options = nil

local uv = vim.uv or vim.loop

local function notify(msg, level)
  vim.notify("mica: " .. msg, level or vim.log.levels.INFO, { title = "mica" })
end

local function get_clients(filter)
  if vim.lsp.get_clients then
    return vim.lsp.get_clients(filter)
  end
  -- Neovim 0.9 and older.
  return vim.lsp.get_active_clients(filter)
end

--- Whether this Neovim has `vim.lsp.config` and `vim.lsp.enable` (0.11+).
function M.has_lsp_config()
  return vim.lsp.config ~= nil and vim.lsp.enable ~= nil
end

-- Cargo's install folder: `$CARGO_HOME/bin`, else `~/.cargo/bin`.
local function cargo_bin_dir()
  local home = vim.env.CARGO_HOME
  if home == nil or home == "" then
    home = vim.fn.expand("~/.cargo")
  end
  return home .. "/bin"
end

--- The full path of the server executable, or nil when it cannot be run. A bare command name is
--- looked up on PATH, then in Cargo's `bin` folder, where `:MicaInstall` puts it: a Neovim started
--- from a desktop launcher often lacks that folder on its PATH.
--- A `cmd` given as a function (an RPC transport) is taken on trust.
function M.executable(opts)
  opts = opts or M.options or M.defaults
  if type(opts.cmd) ~= "table" then
    return type(opts.cmd) == "function" and "(cmd is a function)" or nil
  end
  local exe = opts.cmd[1]
  if type(exe) ~= "string" or exe == "" then
    return nil
  end
  if vim.fn.executable(exe) == 1 then
    return vim.fn.exepath(exe)
  end
  if not exe:find("/", 1, true) then
    local installed = cargo_bin_dir() .. "/" .. exe
    if vim.fn.executable(installed) == 1 then
      return installed
    end
  end
  return nil
end

--- The server's version as `mica --version` reports it (without the leading name), or nil.
function M.server_version(exe)
  exe = exe or M.executable()
  if not exe or exe:sub(1, 1) == "(" then
    return nil
  end
  local out = vim.fn.system({ exe, "--version" })
  if vim.v.shell_error ~= 0 then
    return nil
  end
  return (vim.trim(out):gsub("^mica%s+", ""))
end

--- The workspace root for a buffer: the nearest folder holding the first of `root_markers`,
--- trying the markers in order, else the folder of the buffer's file, else the current folder.
function M.find_root(bufnr, markers)
  markers = markers or (M.options or M.defaults).root_markers
  local fname = vim.api.nvim_buf_get_name(bufnr)
  local start = fname ~= "" and vim.fs.dirname(fname) or uv.cwd()
  for _, marker in ipairs(markers) do
    local names = type(marker) == "table" and marker or { marker }
    local found = vim.fs.find(names, { path = start, upward = true, limit = 1 })[1]
    if found then
      return vim.fs.dirname(found)
    end
  end
  return start
end

local function client_config(opts)
  local cmd = opts.cmd
  if type(cmd) == "table" then
    -- Start the binary that was found, which may be in Cargo's folder rather than on PATH.
    cmd = vim.list_extend({ M.executable(opts) or cmd[1] }, cmd, 2)
  end
  return {
    name = M.name,
    cmd = cmd,
    filetypes = opts.filetypes,
    root_markers = opts.root_markers,
    settings = opts.settings,
    capabilities = opts.capabilities,
    on_attach = opts.on_attach,
  }
end

-- Starts (or reuses) the client for one buffer; the path for Neovim before 0.11.
local function start_legacy(bufnr)
  local opts = M.options
  if not opts or vim.bo[bufnr].buftype ~= "" then
    return
  end
  local config = client_config(opts)
  config.filetypes = nil
  config.root_markers = nil
  config.root_dir = M.find_root(bufnr, opts.root_markers)
  config.workspace_folders = {
    { uri = vim.uri_from_fname(config.root_dir), name = config.root_dir },
  }
  return vim.lsp.start(config, { bufnr = bufnr })
end

local function is_mica_buffer(bufnr)
  return vim.api.nvim_buf_is_loaded(bufnr) and vim.tbl_contains(M.options.filetypes, vim.bo[bufnr].filetype)
end

local function warn_missing(opts)
  notify(
    ("the language server `%s` was not found (cmd = %s). Install it with :MicaInstall (it runs `%s`), "
      .. "or point `cmd` in require(\"mica\").setup() at the binary, then run :MicaRestart. "
      .. "Highlighting works without it.")
      :format(tostring(opts.cmd[1]), vim.inspect(opts.cmd), M.install_hint()),
    vim.log.levels.WARN
  )
end

-- Registers the server and starts it for open and future buffers. When the executable is
-- missing it starts nothing and returns false; the warning waits for the first Mica buffer, so
-- that a setup() in init.lua does not warn in sessions that never open a brief.
local function enable()
  local opts = M.options
  local group = vim.api.nvim_create_augroup("mica.lsp", { clear = true })
  if not M.executable(opts) then
    local open = vim.tbl_filter(is_mica_buffer, vim.api.nvim_list_bufs())
    if #open > 0 then
      warn_missing(opts)
    else
      vim.api.nvim_create_autocmd("FileType", {
        group = group,
        pattern = opts.filetypes,
        once = true,
        callback = function()
          warn_missing(opts)
        end,
      })
    end
    return false
  end

  if M.has_lsp_config() then
    local config = client_config(opts)
    config.name = nil
    -- A root_dir function gives the same root on every version: mica.toml wins over .git even
    -- where Neovim's root_markers would treat them alike.
    config.root_dir = function(bufnr, on_dir)
      on_dir(M.find_root(bufnr, opts.root_markers))
    end
    vim.lsp.config(M.name, config)
    vim.lsp.enable(M.name)
  else
    vim.api.nvim_create_autocmd("FileType", {
      group = group,
      pattern = opts.filetypes,
      callback = function(args)
        start_legacy(args.buf)
      end,
    })
    for _, bufnr in ipairs(vim.api.nvim_list_bufs()) do
      if is_mica_buffer(bufnr) then
        start_legacy(bufnr)
      end
    end
  end
  M._enabled = true
  return true
end

-- Stops every Mica client and calls `done` once they have all exited (or after a timeout, when
-- the rest are killed).
local function stop_all(done)
  local ids = {}
  for _, client in ipairs(get_clients({ name = M.name })) do
    table.insert(ids, client.id)
    vim.lsp.stop_client(client.id)
  end
  if M.has_lsp_config() and M._enabled then
    vim.lsp.enable(M.name, false)
  end
  local waited, timer = 0, uv.new_timer()
  timer:start(0, 50, vim.schedule_wrap(function()
    waited = waited + 50
    local alive = vim.tbl_filter(function(id)
      return vim.lsp.get_client_by_id(id) ~= nil
    end, ids)
    if #alive > 0 and waited < 3000 then
      return
    end
    timer:stop()
    timer:close()
    for _, id in ipairs(alive) do
      vim.lsp.stop_client(id, true)
    end
    done()
  end))
end

--- Stops the server and starts it again for every open Mica buffer (`:MicaRestart`).
function M.restart()
  if not M.options then
    notify("call require(\"mica\").setup() first", vim.log.levels.ERROR)
    return
  end
  stop_all(function()
    if enable() then
      notify("language server restarted")
    end
  end)
end

--- Builds and installs the server from this checkout in a terminal window (`:MicaInstall`), then
--- restarts it when setup() has been called. `on_exit(code)` is called when cargo has finished.
function M.install(on_exit)
  if vim.fn.executable("cargo") ~= 1 then
    notify("`cargo` was not found: install Rust (https://rustup.rs), then run :MicaInstall again",
      vim.log.levels.ERROR)
    return
  end
  local cmd = M.install_command()
  vim.cmd("botright new")
  local buf = vim.api.nvim_get_current_buf()
  local function done(_, code)
    if code == 0 then
      notify("installed " .. (M.executable() or "the server") .. "; starting it")
      if M.options then
        M.restart()
      end
    else
      notify(("`%s` failed with status %d; see its output in buffer %d"):format(M.install_hint(), code, buf),
        vim.log.levels.ERROR)
    end
    if on_exit then
      on_exit(code)
    end
  end
  if vim.fn.has("nvim-0.11") == 1 then
    vim.fn.jobstart(cmd, { term = true, on_exit = done })
  else
    vim.fn.termopen(cmd, { on_exit = done })
  end
end

--- Lines describing the plugin's state, the server and its clients (`:MicaInfo`).
function M.info_lines()
  local opts = M.options
  local lines = {}
  local function add(fmt, ...)
    table.insert(lines, fmt:format(...))
  end
  if not opts then
    add("setup() has not been called")
    return lines
  end
  local v = vim.version()
  add("Neovim %d.%d.%d, started with %s", v.major, v.minor, v.patch,
    M.has_lsp_config() and "vim.lsp.config/vim.lsp.enable" or "vim.lsp.start")
  add("cmd: %s", table.concat(type(opts.cmd) == "table" and opts.cmd or { "<function>" }, " "))
  local exe = M.executable(opts)
  add("server: %s", exe or ("NOT FOUND: run :MicaInstall (it runs `" .. M.install_hint() .. "`)"))
  local bufnr = vim.api.nvim_get_current_buf()
  local clients = get_clients({ name = M.name })
  -- The running server's own word on its version, else what the executable says.
  local running = get_clients({ name = M.name, bufnr = bufnr })[1] or clients[1]
  local version = running and running.server_info and running.server_info.version
  if exe and not version then
    version = M.server_version(exe)
  end
  if exe then
    add("server version: %s", version or "unknown (`--version` failed)")
  end
  if is_mica_buffer(bufnr) then
    local attached = get_clients({ name = M.name, bufnr = bufnr })[1]
    local root = attached and (attached.root_dir or attached.config.root_dir) or M.find_root(bufnr, opts.root_markers)
    add("workspace root: %s", root)
  end
  add("filetypes: %s", table.concat(opts.filetypes, ", "))
  local markers = vim.tbl_map(function(m)
    return type(m) == "table" and ("{" .. table.concat(m, ", ") .. "}") or m
  end, opts.root_markers)
  add("root markers: %s", table.concat(markers, ", "))
  if #clients == 0 then
    add("clients: none running")
  end
  for _, client in ipairs(clients) do
    local bufs = vim.tbl_keys(client.attached_buffers or {})
    table.sort(bufs)
    local info = client.server_info or {}
    add("client %d: %s%s, root %s, buffers %s%s", client.id,
      info.name or M.name, info.version and (" " .. info.version) or "",
      client.root_dir or client.config.root_dir or "?",
      table.concat(bufs, ","),
      (client.attached_buffers or {})[bufnr] and " (this buffer)" or "")
  end
  return lines
end

local function create_commands()
  vim.api.nvim_create_user_command("MicaRestart", function()
    M.restart()
  end, { desc = "Restart the Mica language server" })
  vim.api.nvim_create_user_command("MicaInfo", function()
    notify(table.concat(M.info_lines(), "\n"))
  end, { desc = "Show the Mica language server's version, path, workspace root and clients" })
  vim.api.nvim_create_user_command("MicaInstall", function()
    M.install()
  end, { desc = "Build and install the Mica language server from this checkout (cargo install)" })
end

--- Configures and starts the language server. Options (see `:help mica-setup`):
--- cmd, filetypes, root_markers, settings, on_attach, capabilities.
function M.setup(opts)
  opts = opts or {}
  if type(opts) ~= "table" then
    error("mica: setup() takes a table of options, got " .. type(opts), 2)
  end
  local merged = vim.tbl_extend("force", {}, M.defaults, opts)
  local expected = {
    cmd = { "table", "function" },
    filetypes = { "table" },
    root_markers = { "table" },
    settings = { "table" },
    on_attach = { "function", "nil" },
    capabilities = { "table", "nil" },
  }
  for key, value in pairs(merged) do
    local types = expected[key]
    if not types then
      local known = vim.tbl_keys(expected)
      table.sort(known)
      notify(("unknown option `%s` in setup(); the options are %s"):format(key, table.concat(known, ", ")),
        vim.log.levels.WARN)
    elseif not vim.tbl_contains(types, type(value)) then
      error(("mica: option `%s` must be a %s, got %s"):format(key, table.concat(types, " or "), type(value)), 2)
    end
  end
  M.options = merged
  create_commands()
  enable()
end

return M
