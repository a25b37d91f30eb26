"""selfdirect: self-directed support and Extra Care Housing planning for English councils."""
