"""The report section: the cadre-training part of the annual 法治政府建设情况报告."""
