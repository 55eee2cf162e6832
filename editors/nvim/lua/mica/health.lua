-- `:checkhealth mica`: is the plugin set up, is the server installed (and if not, exactly what to
-- run), which version is it, and where is the workspace root.

local M = {}

function M.check()
  local health = vim.health
  local start = health.start or health.report_start
  local ok = health.ok or health.report_ok
  local warn = health.warn or health.report_warn
  local error = health.error or health.report_error
  local info = health.info or health.report_info

  local mica = require("mica")
  start("mica")
  if vim.fn.has("nvim-0.8") ~= 1 then
    error("Neovim 0.8 or newer is needed (vim.lsp.start, vim.fs.find)")
  end
  info(mica.has_lsp_config() and "the server is started with vim.lsp.config/vim.lsp.enable"
    or "the server is started with vim.lsp.start on FileType (Neovim before 0.11)")

  local opts = mica.options or mica.defaults
  if not mica.options then
    warn("require(\"mica\").setup() has not been called: only highlighting and filetype options are active",
      { "Call require(\"mica\").setup() in your config (lazy.nvim does it for a spec with `opts = {}`)" })
  end
  local exe = mica.executable(opts)
  if not exe then
    local advice = {}
    if vim.fn.executable("cargo") ~= 1 then
      table.insert(advice, "Install Rust first (https://rustup.rs): `cargo` is not on PATH")
    end
    table.insert(advice, "Run :MicaInstall, or in a shell: " .. mica.install_hint())
    table.insert(advice, "Then run :MicaRestart (or reopen the brief)")
    table.insert(advice, "Or set `cmd` in require(\"mica\").setup() to the full path of a `mica` binary")
    error(("the language server `%s` was not found on PATH or in Cargo's bin folder")
      :format(tostring(type(opts.cmd) == "table" and opts.cmd[1] or opts.cmd)), advice)
    return
  end
  ok("server executable: " .. exe)
  if type(opts.cmd) == "table" then
    local version = mica.server_version(exe)
    if version then
      ok("server version: " .. version)
    else
      warn("`" .. exe .. " --version` failed", { "Reinstall it: " .. mica.install_hint() })
    end
  end
  if mica.options then
    for _, line in ipairs(mica.info_lines()) do
      info(line)
    end
  end
end

return M
