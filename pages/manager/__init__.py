"""The manager: the manager's home, the audit log and the emergency accesses."""
