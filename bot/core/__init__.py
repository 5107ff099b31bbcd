"""The desk's decisions (lifecycle, clocks, routing, permissions, workflows); no telegram."""
