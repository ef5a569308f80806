"""Domain exception tree.

YigaiError
├── DocumentError            a document cannot be read or parsed
│   ├── EmptyDocumentError
│   ├── BinaryDocumentError
│   ├── UnsupportedFormatError
│   ├── DocumentTooLargeError
│   └── EncodingError
├── InvalidInputError        bad input, nothing saved (services and synth subclass it)
├── NotFoundError            a plan or other object does not exist
└── ConfigurationError       bad settings
"""

from __future__ import annotations


class YigaiError(Exception):
    """Base of every error the product raises on purpose.

    ``message_zh`` is the Chinese message; ``str(err)`` is the English one.
    ``where`` names the file, row, column or field concerned.
    """

    message_zh: str = "操作失败"

    def __init__(self, message: str, *, message_zh: str | None = None, where: str = "") -> None:
        super().__init__(message)
        if message_zh is not None:
            self.message_zh = message_zh
        self.where = where

    def bilingual(self) -> str:
        loc = f"{self.where}: " if self.where else ""
        return f"{loc}{self.message_zh} / {self.args[0]}"


class DocumentError(YigaiError):
    message_zh = "无法读取文档"


class EmptyDocumentError(DocumentError):
    message_zh = "文档为空"


class BinaryDocumentError(DocumentError):
    message_zh = "文档不是文本，无法解析"


class UnsupportedFormatError(DocumentError):
    message_zh = "不支持的文件格式"


class DocumentTooLargeError(DocumentError):
    message_zh = "文档过大"


class EncodingError(DocumentError):
    message_zh = "无法识别文档编码"


class InvalidInputError(YigaiError):
    message_zh = "输入有误，未保存"


class NotFoundError(YigaiError):
    message_zh = "未找到"


class ConfigurationError(YigaiError):
    message_zh = "配置错误"
