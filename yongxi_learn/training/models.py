"""Models of this feature (imported by yongxi_learn.models)."""
