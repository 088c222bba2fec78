"""Channel adapters: each translates one messaging platform to and from the dialogue core's messages."""
