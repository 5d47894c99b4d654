"""Administration of institutions and accounts. Admins never read case contents."""
