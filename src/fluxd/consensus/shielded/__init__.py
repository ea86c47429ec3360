"""Sapling (shielded) consensus pieces: Jubjub arithmetic and RedJubjub verification."""
