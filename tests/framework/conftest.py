from tests.support.object_store import s3_endpoint, storage_url

__all__ = ["s3_endpoint", "storage_url"]
