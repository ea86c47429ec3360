"""Sprout and Sapling note commitment trees (C++ IncrementalMerkleTree)."""
