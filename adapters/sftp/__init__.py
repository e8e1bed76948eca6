"""Files on an SFTP server (paramiko), taken only when complete, moved to ``done/`` once stored."""
