from django.db import models


class Figure(models.Model):
    """One metric of one organization for one month (``month`` null: a stock figure, as of the refresh).
    ``own`` counts the organization's own rows, ``subtree`` those of its whole subtree: a subtree's figure
    for a period is then a handful of rows whatever its size."""

    organization = models.ForeignKey("orgs.Organization", models.CASCADE, related_name="+")
    metric = models.CharField(max_length=60)
    month = models.DateField(null=True, blank=True)
    own = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    subtree = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    class Meta:
        indexes = [models.Index(fields=["organization", "metric", "month"], name="figure_lookup")]


class RefreshRun(models.Model):
    """A refresh of every figure; rollups say they were computed at the last finished run."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]
