"""Data subjects: the customers calls are about, found through keyed blind indexes."""
