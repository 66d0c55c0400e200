from django.db import models


class PrivatePhoto(models.Model):
    """A photo stored privately by core/photos.py (EXIF/GPS stripped, never public, served by expiring links)."""

    file_name = models.CharField(max_length=100, editable=False)
    content_type = models.CharField(max_length=20)
    uploaded_by = models.CharField("上传人", max_length=150)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
