"""Vocabulary the pinyin keyboard favours by field: surnames, given-name characters, repair words."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

_SURNAMES = (
    "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 林 高 罗 郑 梁 "
    "谢 宋 唐 许 韩 冯 邓 曹 彭 曾 肖 田 董 潘 袁 蔡 蒋 余 于 杜 叶 程 "
    "魏 苏 吕 丁 任 卢 姚 沈 钟 姜 崔 谭 陆 范 汪 廖 石 金 韦 贾 夏 付 "
    "方 邹 熊 白 孟 秦 邱 侯 江 尹 薛 闫 段 雷 龙 黎 史 陶 贺 毛 郝 顾 "
    "龚 邵 万 覃 武 钱 戴 严 莫 孔 向 常 汤 康 易 乔 赖 文 施 洪 辛 柯 "
    "庄 樊 牛 祝 葛 岳 车 柴 关 申 左 尚 单 查 解 区 仇 朴 盖 乐 缪 翟 "
    "曲 牟 欧阳 司马 诸葛 上官 东方 皇甫 慕容 令狐 夏侯 司徒 尉迟 长孙 宇文"
)
SURNAMES = _SURNAMES.split()
"""Surnames, most common first (national household-register rankings, rounded)."""

SURNAME_READINGS = {
    "曾": "zeng", "单": "shan", "查": "zha", "解": "xie", "区": "ou", "仇": "qiu", "朴": "piao",
    "盖": "ge", "乐": "yue", "缪": "miao", "翟": "zhai", "曲": "qu", "覃": "qin", "牟": "mou",
    "尉迟": "yu'chi", "长孙": "zhang'sun", "万": "wan", "任": "ren", "秦": "qin", "柏": "bai",
}  # fmt: skip
"""Surnames not read with their characters' main reading."""

GIVEN_CHARS = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国文辉玉红萍鹏飞云婷雪琳晶颖"
    "倩宇浩然子涵欣怡梓轩睿博宁思雨佳琪嘉志海燕凤梅莉玲春林斌波宏俊峰帅鑫淑珍翠兵亮成"
    "龙金凯荣德福永健生东新光安丹慧美晓小秋月阳彤瑶璐露蕾菲薇妍悦婧诗奕辰铭泽宸皓晨旭"
    "昊天一家振伦彬坤勤香瑞珊莹洁冰爽楠迪妮琦晴昕武诚仁义智庆卫胜利丰艺霖毅锋杨芬芸"
)
"""Characters common in given names, most common first."""

_REPAIR_WORDS = (
    "漏水 渗水 不亮 停电 没电 跳闸 漏电 堵了 堵塞 下水道 马桶 地漏 水管 水龙头 "
    "热水器 没热水 没水 水压 电梯 困人 门禁 对讲 坏了 门锁 防盗门 钥匙 窗户 "
    "玻璃 裂缝 脱落 墙皮 天花板 积水 异味 噪音 楼道 灯泡 路灯 开关 插座 空调 "
    "暖气 不热 燃气 维修 报修 物业 单元门 车库 道闸 垃圾 化粪池 外墙 屋顶 防水"
)
REPAIR_WORDS = _REPAIR_WORDS.split()
"""Words of repair descriptions, favoured over their homophones (漏水 before 漏税)."""
