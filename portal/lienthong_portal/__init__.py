"""The citizen portal: a server-rendered page where a citizen sees their registry record and who accessed it."""
