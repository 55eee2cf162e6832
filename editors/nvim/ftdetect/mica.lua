-- Detects Mica documents (`*.mica`) as the `mica` filetype.
--
-- `vim.filetype.add` is the Lua filetype mechanism of Neovim 0.8+; this file is sourced by
-- every plugin manager (and by a plain 'runtimepath' entry) when filetype detection starts.
vim.filetype.add({
  extension = {
    mica = "mica",
  },
})
