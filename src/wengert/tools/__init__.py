"""Tools that read the tape: gradient checking (more to come: tables, graphs)."""
