"""Data subjects' rights under KVKK: the request register, export, correction, erasure,
retention and legal hold."""
