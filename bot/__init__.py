"""Dialogue core, channel adapters, settings and the command line of the migrant help bot."""
