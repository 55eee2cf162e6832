//! Editor features for Mica as plain functions over byte offsets (work in progress).
