from datetime import datetime

import strawberry

from core import photos


@strawberry.type(name="Photo", description="私有照片（有效期链接，15 分钟） / A private photo by a 15-minute link")
class PhotoInfo:
    caption: str
    created_at: datetime
    url: str


def photo_infos(kind: str, rows, actor) -> list[PhotoInfo]:
    return [PhotoInfo(caption=getattr(p, "caption", ""), created_at=p.created_at, url=photos.url(kind, p.pk, actor)) for p in rows]
