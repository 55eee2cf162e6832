-- `:checkhealth mica`: is the plugin set up, is the server installed, does it run.

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

  if not mica.options then
    warn("require(\"mica\").setup() has not been called: only highlighting and filetype options are active")
    return
  end
  local exe = mica.executable()
  if not exe then
    error(("`%s` was not found"):format(tostring(mica.options.cmd[1])),
      { "Install it from a Mica checkout: " .. mica.install_hint, "or set `cmd` in require(\"mica\").setup()" })
    return
  end
  ok("server executable: " .. exe)
  if type(mica.options.cmd) == "table" then
    local out = vim.fn.system({ mica.options.cmd[1], "--version" })
    if vim.v.shell_error == 0 then
      ok("version: " .. vim.trim(out))
    else
      warn("`" .. mica.options.cmd[1] .. " --version` failed: " .. vim.trim(out))
    end
  end
  for _, line in ipairs(mica.info_lines()) do
    info(line)
  end
end

return M
