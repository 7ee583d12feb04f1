"""The desk's closed vocabularies: kinds of ID, visitor, repair, complaint, channel, key, request."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

ID_TYPES = {
    "resident_id": "居民身份证",
    "passport": "护照",
    "hk_macau_permit": "港澳通行证",
    "other": "其他证件",
    "none": "无证件",
}
VISITOR_KINDS = {
    "guest": "访客",
    "courier": "快递/外卖",
    "decoration": "装修施工",
    "service": "维修服务",
    "other": "其他",
}
REPAIR_CATEGORIES = {
    "water": "水",
    "electric": "电",
    "door_window": "门窗",
    "pipe": "管道",
    "public": "公共设施",
    "lift": "电梯",
    "gas": "燃气",
    "other": "其他",
}
REPAIR_CATEGORY_FULL = {
    **REPAIR_CATEGORIES,
    "water": "给排水",
    "electric": "电气照明",
    "pipe": "管道疏通",
    "public": "公共设施",
}
"""The repair categories as printed and read aloud in full (the short names fit buttons)."""
COMPLAINT_CATEGORIES = {
    "security": "安全",
    "cleaning": "清洁",
    "landscaping": "绿化",
    "engineering": "工程维修",
    "mail": "邮件快递",
    "decoration": "装修管理",
    "attitude": "服务态度",
    "other": "其他",
}
COMPLAINT_SEVERITIES = {"major": "重大", "important": "重要", "minor": "轻微"}
COMPLAINT_VALIDITY = {
    "unclassified": "未分类",
    "valid": "有效",
    "assist": "协助",
    "invalid": "无效",
}
CHANNELS = {
    "kiosk": "自助终端",
    "hotline": "热线",
    "desk": "前台",
    "letter": "信函",
    "email": "邮件",
}
KEY_KINDS = {
    "vacant": "空置房钥匙",
    "entrusted": "业主托管钥匙",
    "plant": "机房备用钥匙",
    "other": "其他",
}
PARCEL_CONDITIONS = ("完好", "破损", "受潮")
"""P1: a parcel's condition as checked on receipt (破损/受潮 need a description)."""
OWNER_ROLES = {"owner": "业主", "tenant": "租户", "family": "家属"}

REQUEST_KINDS = {
    "counter_pickup": "柜台取件",
    "proxy_pickup": "代领快递",
    "call_staff": "呼叫客服",
    "emergency": "紧急情况",
    "blocked_visitor": "黑名单人员到访",
}
