"""Dialogue lines for the TTS demo films (English and Mandarin), plus held-out reference lines.

Reference lines are never used in a film, so enrolment clips cannot be cut from the mix.
"""

from __future__ import annotations

EN_LINES: tuple[str, ...] = (
    "I told you the train leaves at seven, not at eight.",
    "Nobody has been in this house for years.",
    "Then who left the lights on in the kitchen?",
    "We should go back before the storm gets worse.",
    "Give me the map, I know where the old bridge is.",
    "You never listen when I try to warn you.",
    "The letter was signed by someone called Margaret.",
    "Keep your voice down, they can hear us from the hall.",
    "I found the key under the third step of the porch.",
    "Do you really think he is still alive?",
    "The radio has been silent since Tuesday morning.",
    "Pack only what you can carry on your back.",
    "She said the painting was worth more than the farm.",
    "Wait, did you hear that noise upstairs?",
    "It is only the wind pushing against the shutters.",
    "My father built this boat with his own hands.",
    "We will need fuel, water and a lot of luck.",
    "Tell the captain we are ready to leave at dawn.",
    "The doctor says she needs rest and quiet.",
    "I have not slept properly in three days.",
    "Look at the clock, it stopped at midnight.",
    "Everyone in the village knows that story.",
    "If we hurry, we can reach the station by noon.",
    "Put the gun down and let us talk about this.",
    "The numbers on the door do not match the file.",
    "I never wanted any of this to happen.",
    "You can stay here tonight, the spare room is ready.",
    "Somebody moved the boxes in the cellar.",
    "Call your sister and tell her we are safe.",
    "The bridge was closed after the flood last spring.",
    "Why would anyone bury a piano in the garden?",
    "Because they wanted to hide what was inside it.",
    "Bring the lamp closer, I cannot read the writing.",
    "We lost the signal somewhere past the mountains.",
    "This is the last time I am asking you nicely.",
    "The market opens early on Saturdays.",
    "He left without saying a single word to anyone.",
    "Your coffee is getting cold on the table.",
    "Tomorrow we start again from the very beginning.",
    "I think the old man knows more than he says.",
)

EN_REF_LINES: tuple[str, ...] = (
    "Please remember to water the plants while I am away on holiday.",
    "The museum downtown has a new exhibition about ancient maps.",
    "Reading a good book on a rainy afternoon is my favourite thing.",
)

ZH_LINES: tuple[str, ...] = (
    "今天晚上我们一起去吃饭吧。",
    "火车七点钟出发，不要迟到。",
    "这座房子已经很多年没有人住了。",
    "你听到楼上的声音了吗？",
    "那只是风吹窗户的声音。",
    "我们应该在暴风雨之前回去。",
    "把地图给我，我知道那座老桥在哪里。",
    "医生说她需要好好休息。",
    "钥匙就在门口的台阶下面。",
    "我已经三天没有睡好觉了。",
    "明天早上我们再从头开始。",
    "村里的每个人都知道这个故事。",
    "请你给姐姐打个电话报平安。",
    "这封信是谁寄来的？",
    "市场星期六很早就开门了。",
    "他一句话也没说就走了。",
)

ZH_REF_LINES: tuple[str, ...] = (
    "春天来了，公园里的花都开了，很多人去散步。",
    "我每天早上坐地铁去上班，路上大概要一个小时。",
    "这家饭馆的饺子特别好吃，我们下次再来。",
)


def lines(language: str) -> tuple[str, ...]:
    """Dialogue lines for `language` (`en` or `zh`)."""
    return ZH_LINES if language == "zh" else EN_LINES


def ref_lines(language: str) -> tuple[str, ...]:
    """Held-out lines for enrolment clips in `language`."""
    return ZH_REF_LINES if language == "zh" else EN_REF_LINES
