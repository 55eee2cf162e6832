-- A clean Neovim for the tests: only the built-in runtime and this plugin on 'runtimepath',
-- no user config, no shada or swap files.
--
-- Use: nvim --headless -u editors/nvim/test/minimal_init.lua -l editors/nvim/test/e2e.lua

local test_dir = vim.fs.dirname(vim.fs.normalize(vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p")))
local plugin_dir = vim.fs.dirname(test_dir)

-- Keep the folders that ship Neovim's own tree-sitter parsers (lib/nvim), which :help needs.
local rtp = { plugin_dir, vim.env.VIMRUNTIME }
for _, parser_dir in ipairs(vim.api.nvim_get_runtime_file("parser", true)) do
  local dir = vim.fs.dirname(parser_dir)
  if not vim.tbl_contains(rtp, dir) and not vim.startswith(dir, vim.fn.stdpath("data")) then
    table.insert(rtp, dir)
  end
end
vim.opt.runtimepath = rtp
vim.opt.packpath = { vim.env.VIMRUNTIME }
vim.opt.shadafile = "NONE"
vim.opt.swapfile = false
vim.opt.more = false

-- What a plugin manager does: detection first (so ftdetect/ is read), then plugins and syntax.
vim.cmd("filetype plugin indent on")
vim.cmd("syntax on")

vim.g.mica_test_dir = test_dir
vim.g.mica_plugin_dir = plugin_dir
