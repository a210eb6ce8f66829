<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>ClipIndicator</name>
    <message>
        <location filename="../mixer_panel.py" line="224"/>
        <source>Clip: lights when a peak reaches 0 dBFS. Click to reset.</source>
        <translation>削波：峰值达到 0 dBFS 时亮起。单击复位。</translation>
    </message>
</context>
<context>
    <name>CommentsPanel</name>
    <message>
        <location filename="../comments_panel.py" line="684"/>
        <source>Comment</source>
        <translation>评论</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="685"/>
        <source>Like</source>
        <translation>点赞</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="686"/>
        <source>Gift</source>
        <translation>礼物</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="687"/>
        <source>Order</source>
        <translation>订单</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="688"/>
        <source>Follow</source>
        <translation>关注</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="689"/>
        <source>sent likes</source>
        <translation>点了赞</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="690"/>
        <source>sent a gift</source>
        <translation>送了礼物</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="691"/>
        <source>placed an order</source>
        <translation>下了单</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="692"/>
        <source>followed</source>
        <translation>关注了</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="693"/>
        <source>Buy</source>
        <translation>想买</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="694"/>
        <source>Price</source>
        <translation>价格</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="695"/>
        <source>Size</source>
        <translation>尺码</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="696"/>
        <source>Stock</source>
        <translation>库存</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="697"/>
        <source>Link</source>
        <translation>链接</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="698"/>
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="699"/>
        <source>Pinned</source>
        <translation>已置顶</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="700"/>
        <source>Hidden: {reason}</source>
        <translation>已隐藏：{reason}</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="710"/>
        <source>Search comments (text or user)</source>
        <translation>搜索评论（内容或用户）</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="716"/>
        <source>All kinds</source>
        <translation>所有类型</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="718"/>
        <source>Comments</source>
        <translation>评论</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="718"/>
        <source>Likes</source>
        <translation>点赞</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="718"/>
        <source>Gifts</source>
        <translation>礼物</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="718"/>
        <source>Orders</source>
        <translation>订单</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="718"/>
        <source>Follows</source>
        <translation>关注</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="728"/>
        <source>Show one kind of message</source>
        <translation>只显示一种消息</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="729"/>
        <source>Show messages with this intent</source>
        <translation>显示有此意向的消息</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="730"/>
        <source>Show messages naming this product (3号, #3)</source>
        <translation>显示提到该商品的消息（3号、#3）</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="760"/>
        <location filename="../comments_panel.py" line="913"/>
        <source>No comments yet</source>
        <translation>还没有评论</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="776"/>
        <source>Pin</source>
        <translation>置顶</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="777"/>
        <source>Show the selected comment on program as a card (double-click a comment does too)</source>
        <translation>将所选评论以卡片形式显示在节目上（双击评论也可以）</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="778"/>
        <source>Unpin</source>
        <translation>取消置顶</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="779"/>
        <source>Take the comment card off program</source>
        <translation>从节目上撤下评论卡片</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="780"/>
        <location filename="../comments_panel.py" line="1326"/>
        <source>Block user</source>
        <translation>屏蔽用户</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="781"/>
        <source>Hide the selected comment&apos;s author: their messages never reach the screen</source>
        <translation>屏蔽所选评论的作者：其消息不会上屏</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="789"/>
        <source>Intent by product</source>
        <translation>各商品的购买意向</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="804"/>
        <source>Click a number to show those comments</source>
        <translation>点击数字查看这些评论</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="810"/>
        <source>No buying questions yet</source>
        <translation>还没有购买相关提问</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="846"/>
        <source>Any intent</source>
        <translation>任意意向</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="848"/>
        <source>Names a product</source>
        <translation>提到商品</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="858"/>
        <source>Any product</source>
        <translation>任意商品</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="913"/>
        <source>Comments are off</source>
        <translation>评论已关闭</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="1097"/>
        <location filename="../comments_panel.py" line="1161"/>
        <location filename="../comments_panel.py" line="1286"/>
        <source>Comments: {problem}</source>
        <translation>评论：{problem}</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="1187"/>
        <source>Product</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="1190"/>
        <source>Messages naming the product (3号, #3)</source>
        <translation>提到该商品的消息（3号、#3）</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="1193"/>
        <source>No product named</source>
        <translation>未提到商品</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="1294"/>
        <source>A hidden comment cannot be pinned ({reason})</source>
        <translation>隐藏的评论不能置顶（{reason}）</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="1323"/>
        <source>Block {user} ({platform})? Their messages are kept but never shown on screen.</source>
        <translation>屏蔽 {user}（{platform}）？其消息会保留，但不会上屏。</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="1340"/>
        <source>blocked user &apos;{user}&apos;</source>
        <translation>已屏蔽用户“{user}”</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="1373"/>
        <source>⬇ {count} new</source>
        <translation>⬇ {count} 条新消息</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="1384"/>
        <source>Searching…</source>
        <translation>搜索中…</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="1386"/>
        <source>{shown} found</source>
        <translation>找到 {shown} 条</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="1388"/>
        <source>Latest {shown} found</source>
        <translation>找到最近 {shown} 条</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="1390"/>
        <source>Paused: a comment is selected</source>
        <translation>已暂停：已选中评论</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="1390"/>
        <source>Paused (scrolled up)</source>
        <translation>已暂停（向上滚动）</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="1392"/>
        <source>Live · {total} in all</source>
        <translation>实时 · 共 {total} 条</translation>
    </message>
    <message>
        <location filename="../comments_panel.py" line="1394"/>
        <source>Live</source>
        <translation>实时</translation>
    </message>
</context>
<context>
    <name>DeviceField</name>
    <message>
        <location filename="../settings_dialog.py" line="117"/>
        <location filename="../settings_dialog.py" line="133"/>
        <source>{device} (not connected)</source>
        <translation>{device}（未连接）</translation>
    </message>
</context>
<context>
    <name>GainFader</name>
    <message>
        <location filename="../mixer_panel.py" line="310"/>
        <source>Gain. Double-click: 0 dB.</source>
        <translation>增益。双击：0 dB。</translation>
    </message>
</context>
<context>
    <name>GainSpinBox</name>
    <message>
        <location filename="../mixer_panel.py" line="343"/>
        <source>-inf</source>
        <translation>-∞</translation>
    </message>
    <message>
        <location filename="../mixer_panel.py" line="344"/>
        <source> dB</source>
        <translation> dB</translation>
    </message>
    <message>
        <location filename="../mixer_panel.py" line="350"/>
        <source>Gain in dB; type a value and press Enter.</source>
        <translation>增益（dB）；输入数值后按回车。</translation>
    </message>
</context>
<context>
    <name>HotkeysDialog</name>
    <message>
        <location filename="../hotkeys_dialog.py" line="28"/>
        <source>Hotkeys</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <location filename="../hotkeys_dialog.py" line="35"/>
        <source>Action</source>
        <translation>操作</translation>
    </message>
    <message>
        <location filename="../hotkeys_dialog.py" line="35"/>
        <source>Key</source>
        <translation>按键</translation>
    </message>
    <message>
        <location filename="../hotkeys_dialog.py" line="56"/>
        <source>Restore defaults</source>
        <translation>恢复默认</translation>
    </message>
</context>
<context>
    <name>InputStrip</name>
    <message>
        <location filename="../mixer_panel.py" line="435"/>
        <source>Mute</source>
        <translation>静音</translation>
    </message>
    <message>
        <location filename="../mixer_panel.py" line="436"/>
        <source>Mute: take this input out of program</source>
        <translation>静音：此输入不进入节目</translation>
    </message>
    <message>
        <location filename="../mixer_panel.py" line="437"/>
        <source>Solo</source>
        <translation>独听</translation>
    </message>
    <message>
        <location filename="../mixer_panel.py" line="438"/>
        <source>Solo: hear only soloed inputs in the headphones (program is unchanged)</source>
        <translation>独听：耳机里只听独听的输入（节目不受影响）</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../desktop.py" line="61"/>
        <location filename="../main_window.py" line="346"/>
        <source>Could not open the show</source>
        <translation>无法打开节目</translation>
    </message>
    <message>
        <location filename="../desktop.py" line="62"/>
        <source>{error}

The demo show is open instead.</source>
        <translation>{error}

已改为打开演示节目。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="132"/>
        <source>Preview</source>
        <translation>预监</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="133"/>
        <source>Program</source>
        <translation>节目</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="136"/>
        <source>PREVIEW</source>
        <translation>预监</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="136"/>
        <source>PROGRAM</source>
        <translation>节目</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="169"/>
        <source>Multiview</source>
        <translation>多画面监看</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="170"/>
        <source>Scenes</source>
        <translation>场景</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="171"/>
        <source>Transitions</source>
        <translation>转场</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="172"/>
        <source>Audio Mixer</source>
        <translation>混音台</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="180"/>
        <source>Products</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="182"/>
        <source>Comments</source>
        <translation>评论</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="204"/>
        <source>Controls</source>
        <translation>控制</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="207"/>
        <location filename="../main_window.py" line="520"/>
        <location filename="../main_window.py" line="533"/>
        <location filename="../main_window.py" line="572"/>
        <source>Go Live</source>
        <translation>开播</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="208"/>
        <location filename="../main_window.py" line="556"/>
        <location filename="../main_window.py" line="566"/>
        <location filename="../main_window.py" line="574"/>
        <location filename="../main_window.py" line="768"/>
        <source>Record</source>
        <translation>录制</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="221"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="222"/>
        <source>&amp;New show</source>
        <translation>新建节目(&amp;N)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="223"/>
        <source>&amp;Open show...</source>
        <translation>打开节目(&amp;O)...</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="224"/>
        <source>Open &amp;recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="225"/>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="226"/>
        <source>Save &amp;as...</source>
        <translation>另存为(&amp;A)...</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="228"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="229"/>
        <source>&amp;Settings</source>
        <translation>设置(&amp;S)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="230"/>
        <source>&amp;Settings...</source>
        <translation>设置(&amp;S)...</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="231"/>
        <source>&amp;Hotkeys...</source>
        <translation>快捷键(&amp;H)...</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="232"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="236"/>
        <source>&amp;Reset layout</source>
        <translation>重置布局(&amp;R)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="269"/>
        <source>Hotkeys</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="328"/>
        <source>New show</source>
        <translation>新建节目</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="332"/>
        <location filename="../main_window.py" line="335"/>
        <location filename="../main_window.py" line="341"/>
        <location filename="../main_window.py" line="394"/>
        <source>Open show</source>
        <translation>打开节目</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="323"/>
        <source>Stop streaming and recording before opening another show.</source>
        <translation>请先停止推流和录制，再打开其他节目。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="359"/>
        <source>Save show as</source>
        <translation>节目另存为</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="369"/>
        <source>Could not save</source>
        <translation>无法保存</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="369"/>
        <source>{file}: {reason}</source>
        <translation>{file}：{reason}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="420"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="420"/>
        <source>The new language is used the next time the studio starts.</source>
        <translation>新语言将在下次启动时生效。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="460"/>
        <source>This show has no products</source>
        <translation>本节目没有商品</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="494"/>
        <location filename="../main_window.py" line="561"/>
        <source>The show is still starting</source>
        <translation>节目仍在启动中</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="515"/>
        <source>End the live stream?</source>
        <translation>结束直播？</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="515"/>
        <source>Stop streaming to every destination?</source>
        <translation>停止向所有目标推流？</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="520"/>
        <source>No destination is set up. Add one in Settings, Destinations.</source>
        <translation>尚未设置推流目标。请在“设置 → 推流目标”中添加。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="523"/>
        <source>Go live?</source>
        <translation>开始直播？</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="523"/>
        <source>Start streaming to:
{destinations}</source>
        <translation>开始推流到：
{destinations}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="556"/>
        <source>Cannot create the recording folder {folder}: {reason}</source>
        <translation>无法创建录制文件夹 {folder}：{reason}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="572"/>
        <source>End Live</source>
        <translation>结束直播</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="574"/>
        <source>Stop Recording</source>
        <translation>停止录制</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="609"/>
        <source>Comments unavailable: {reason}</source>
        <translation>评论不可用：{reason}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="622"/>
        <source>Comments API: cannot listen on port {port}: {reason}</source>
        <translation>评论接口：无法监听端口 {port}：{reason}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="630"/>
        <source>Twitch chat unavailable: {reason}</source>
        <translation>Twitch 聊天不可用：{reason}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="693"/>
        <source>Remote control: cannot listen on port {port}: {reason}</source>
        <translation>远程控制：无法监听端口 {port}：{reason}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="721"/>
        <source>The show could not start</source>
        <translation>节目无法启动</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="743"/>
        <source>Preview: {scene}</source>
        <translation>预监：{scene}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="744"/>
        <source>Program: {scene}</source>
        <translation>节目：{scene}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="768"/>
        <source>The recording stopped: {file}</source>
        <translation>录制已停止：{file}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="772"/>
        <source>{name}: {state} {reason}</source>
        <translation>{name}：{state} {reason}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="799"/>
        <source>Unsaved changes</source>
        <translation>未保存的修改</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="800"/>
        <source>Save the changes to {show}?</source>
        <translation>保存对 {show} 的修改吗？</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="831"/>
        <source>Could not save preferences: {reason}</source>
        <translation>无法保存偏好设置：{reason}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="843"/>
        <source>Quit while on air?</source>
        <translation>直播中退出？</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="844"/>
        <source>You are live or recording. Stop streaming and recording, and quit?</source>
        <translation>正在直播或录制。停止推流和录制并退出吗？</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="851"/>
        <source>Stopping the outputs...</source>
        <translation>正在停止输出...</translation>
    </message>
</context>
<context>
    <name>MasterStrip</name>
    <message>
        <location filename="../mixer_panel.py" line="513"/>
        <source>Program</source>
        <translation>节目</translation>
    </message>
    <message>
        <location filename="../mixer_panel.py" line="522"/>
        <source>Momentary loudness (last 400 ms)</source>
        <translation>瞬时响度（最近 400 毫秒）</translation>
    </message>
    <message>
        <location filename="../mixer_panel.py" line="523"/>
        <source>Short-term loudness (last 3 s)</source>
        <translation>短期响度（最近 3 秒）</translation>
    </message>
    <message>
        <location filename="../mixer_panel.py" line="527"/>
        <location filename="../mixer_panel.py" line="545"/>
        <source>M {value} LUFS</source>
        <translation>瞬时 {value} LUFS</translation>
    </message>
    <message>
        <location filename="../mixer_panel.py" line="527"/>
        <location filename="../mixer_panel.py" line="546"/>
        <source>S {value} LUFS</source>
        <translation>短期 {value} LUFS</translation>
    </message>
    <message>
        <location filename="../mixer_panel.py" line="552"/>
        <source>-inf</source>
        <translation>-∞</translation>
    </message>
</context>
<context>
    <name>MixerPanel</name>
    <message>
        <location filename="../mixer_panel.py" line="588"/>
        <source>No audio inputs</source>
        <translation>没有音频输入</translation>
    </message>
    <message>
        <location filename="../mixer_panel.py" line="651"/>
        <source>{input}: {error}</source>
        <translation>{input}：{error}</translation>
    </message>
</context>
<context>
    <name>MonitorView</name>
    <message>
        <location filename="../monitors.py" line="142"/>
        <source>NO SIGNAL</source>
        <translation>无信号</translation>
    </message>
</context>
<context>
    <name>ProductDialog</name>
    <message>
        <location filename="../product_dialog.py" line="64"/>
        <source>Edit product</source>
        <translation>编辑商品</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="64"/>
        <source>Add product</source>
        <translation>添加商品</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="72"/>
        <source>unique, e.g. tee-white</source>
        <translation>唯一，例如 tee-white</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="77"/>
        <source>optional: the old price, struck through</source>
        <translation>可选：原价，显示为划线价</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="83"/>
        <source>not shown</source>
        <translation>不显示</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="85"/>
        <source>picture file (optional)</source>
        <translation>图片文件（可选）</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="86"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="96"/>
        <source>Notes for the host, one per line (never on screen)</source>
        <translation>主播提示，每行一条（不会上屏）</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="101"/>
        <source>ID:</source>
        <translation>编号：</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="102"/>
        <source>Title:</source>
        <translation>标题：</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="103"/>
        <source>Price:</source>
        <translation>价格：</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="104"/>
        <source>Compare-at price:</source>
        <translation>划线价：</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="105"/>
        <source>Currency:</source>
        <translation>币种：</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="106"/>
        <source>Stock:</source>
        <translation>库存：</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="107"/>
        <source>Image:</source>
        <translation>图片：</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="108"/>
        <source>Link URL:</source>
        <translation>链接：</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="109"/>
        <source>Coupon:</source>
        <translation>优惠券：</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="110"/>
        <source>Talking points:</source>
        <translation>卖点：</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="112"/>
        <source>Preset (the product&apos;s look)</source>
        <translation>预设（商品的画面）</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="115"/>
        <source>(keep current)</source>
        <translation>（保持当前）</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="119"/>
        <source>empty: no lower third</source>
        <translation>留空：不显示字幕条</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="121"/>
        <source>(show default)</source>
        <translation>（节目默认）</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="123"/>
        <source>Top left</source>
        <translation>左上</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="124"/>
        <source>Top right</source>
        <translation>右上</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="125"/>
        <source>Bottom left</source>
        <translation>左下</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="126"/>
        <source>Bottom right</source>
        <translation>右下</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="130"/>
        <source>Scene:</source>
        <translation>场景：</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="131"/>
        <source>Lower third:</source>
        <translation>字幕条：</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="132"/>
        <source>Card corner:</source>
        <translation>卡片位置：</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="160"/>
        <source>ID</source>
        <translation>编号</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="161"/>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="162"/>
        <source>Price</source>
        <translation>价格</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="163"/>
        <source>Compare-at price</source>
        <translation>划线价</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="164"/>
        <source>Currency</source>
        <translation>币种</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="165"/>
        <source>Stock</source>
        <translation>库存</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="166"/>
        <source>Image</source>
        <translation>图片</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="167"/>
        <source>Link URL</source>
        <translation>链接</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="168"/>
        <source>Coupon</source>
        <translation>优惠券</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="169"/>
        <source>Talking points</source>
        <translation>卖点</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="170"/>
        <source>Preset</source>
        <translation>预设</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="171"/>
        <source>Scene</source>
        <translation>场景</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="172"/>
        <source>Lower third</source>
        <translation>字幕条</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="173"/>
        <source>Card corner</source>
        <translation>卡片位置</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="255"/>
        <source>“{id}” is already used by another product</source>
        <translation>“{id}”已被其他商品使用</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="265"/>
        <source>{message} (got “{value}”)</source>
        <translation>{message}（输入为“{value}”）</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="299"/>
        <source>Choose the product picture</source>
        <translation>选择商品图片</translation>
    </message>
    <message>
        <location filename="../product_dialog.py" line="299"/>
        <source>Images (*.png *.jpg *.jpeg *.webp *.bmp *.gif)</source>
        <translation>图片 (*.png *.jpg *.jpeg *.webp *.bmp *.gif)</translation>
    </message>
</context>
<context>
    <name>ProductsPanel</name>
    <message>
        <location filename="../products_panel.py" line="279"/>
        <source>Search products (title or id)</source>
        <translation>搜索商品（标题或编号）</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="288"/>
        <source>Click: make it the current product (its look comes up). Double-click: edit.</source>
        <translation>单击：设为当前商品（调出其画面）。双击：编辑。</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="292"/>
        <source>No products yet: Add… or Import CSV…</source>
        <translation>还没有商品：添加… 或 导入 CSV…</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="296"/>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="297"/>
        <source>Add…</source>
        <translation>添加…</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="298"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="299"/>
        <source>Import CSV…</source>
        <translation>导入 CSV…</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="321"/>
        <source>No talking points</source>
        <translation>没有卖点</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="322"/>
        <source>Talking points: notes for the host, never on screen</source>
        <translation>卖点：主播提示，不会上屏</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="325"/>
        <source>Sold out</source>
        <translation>售罄</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="328"/>
        <source>Mark the current product sold out (its card on screen is redrawn)</source>
        <translation>将当前商品标记为售罄（画面上的卡片会重绘）</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="332"/>
        <source>not shown</source>
        <translation>不显示</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="334"/>
        <source>Units left (the card on screen is redrawn)</source>
        <translation>剩余件数（画面上的卡片会重绘）</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="336"/>
        <source>Apply preset</source>
        <translation>应用预设</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="337"/>
        <source>Bring up the current product&apos;s scene and lower third again</source>
        <translation>重新调出当前商品的场景和字幕条</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="338"/>
        <source>Save look as preset</source>
        <translation>保存画面为预设</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="339"/>
        <source>The scene on preview and the lower third shown become this product&apos;s look</source>
        <translation>预监中的场景和当前字幕条成为该商品的画面</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="356"/>
        <source>Stock:</source>
        <translation>库存：</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="365"/>
        <source>Previous</source>
        <translation>上一个</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="366"/>
        <source>Next</source>
        <translation>下一个</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="367"/>
        <source>Dismiss card</source>
        <translation>关闭卡片</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="386"/>
        <source>Count 3, 2, 1 on screen, then pop the current product&apos;s card and push its link</source>
        <translation>画面倒数 3、2、1，然后弹出当前商品卡片并推送链接</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="479"/>
        <source>3-2-1 Link</source>
        <translation>3-2-1 上链接</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="480"/>
        <source>{action} ({key})</source>
        <translation>{action}（{key}）</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="525"/>
        <source>was {price}</source>
        <translation>原价 {price}</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="529"/>
        <source>coupon {code}</source>
        <translation>优惠券 {code}</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="534"/>
        <source>SOLD OUT</source>
        <translation>已售罄</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="537"/>
        <source>{count} left</source>
        <translation>剩 {count} 件</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="618"/>
        <source>No product selected</source>
        <translation>未选择商品</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="618"/>
        <source>No show running</source>
        <translation>节目未运行</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="653"/>
        <source>Rendering the card…</source>
        <translation>正在生成卡片…</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="676"/>
        <source>Card: {problem}</source>
        <translation>卡片：{problem}</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="711"/>
        <source>Link pushed: {title}</source>
        <translation>链接已推送：{title}</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="731"/>
        <source>No card on air</source>
        <translation>没有卡片显示</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="741"/>
        <source>3-2-1… card in {seconds} s: {title}</source>
        <translation>3-2-1… {seconds} 秒后弹出卡片：{title}</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="744"/>
        <source>Card on air: {title}</source>
        <translation>卡片显示中：{title}</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="747"/>
        <source>{text} ({seconds} s left)</source>
        <translation>{text}（还剩 {seconds} 秒）</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="828"/>
        <source>Look saved: scene {scene}</source>
        <translation>画面已保存：场景 {scene}</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="828"/>
        <source>(keep current)</source>
        <translation>（保持当前）</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="905"/>
        <source>Remove product</source>
        <translation>删除商品</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="905"/>
        <source>Remove “{title}” from the run sheet?</source>
        <translation>从商品清单中删除“{title}”？</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="914"/>
        <location filename="../products_panel.py" line="921"/>
        <source>Import products</source>
        <translation>导入商品</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="921"/>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>CSV 文件 (*.csv);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="938"/>
        <source>Could not import {file}: {problem}</source>
        <translation>无法导入 {file}：{problem}</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="956"/>
        <source>{file}: {count} products read, {added} added, {replaced} replaced.</source>
        <translation>{file}：读取 {count} 个商品，新增 {added} 个，替换 {replaced} 个。</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="961"/>
        <source>Replaced (same id): {ids}</source>
        <translation>已替换（编号相同）：{ids}</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="964"/>
        <source>{count} rows were skipped:</source>
        <translation>{count} 行被跳过：</translation>
    </message>
</context>
<context>
    <name>ScenePanel</name>
    <message>
        <location filename="../panels.py" line="38"/>
        <source>Click: to preview. Double-click: cut to program.</source>
        <translation>单击：送到预监。双击：直接切到节目。</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../settings_dialog.py" line="152"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="166"/>
        <source>Video</source>
        <translation>视频</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="167"/>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="168"/>
        <source>Destinations</source>
        <translation>推流目标</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="169"/>
        <source>Cameras</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="170"/>
        <source>Audio</source>
        <translation>音频</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="171"/>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="199"/>
        <source>Stop streaming and recording to change these</source>
        <translation>停止推流和录制后才能修改这些设置</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="211"/>
        <source>Canvas</source>
        <translation>画布</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="214"/>
        <source>1920x1080 (landscape)</source>
        <translation>1920x1080（横屏）</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="215"/>
        <source>1280x720</source>
        <translation>1280x720</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="216"/>
        <source>1080x1920 (vertical, phones)</source>
        <translation>1080x1920（竖屏，手机）</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="217"/>
        <source>720x1280 (vertical)</source>
        <translation>720x1280（竖屏）</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="218"/>
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="224"/>
        <source>Size:</source>
        <translation>尺寸：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="232"/>
        <source>Width × height:</source>
        <translation>宽 × 高：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="235"/>
        <source>{fps} frames per second</source>
        <translation>每秒 {fps} 帧</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="236"/>
        <source>Frame rate:</source>
        <translation>帧率：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="241"/>
        <source>The canvas is the picture that is streamed and recorded. Vertical suits viewers on phones (Douyin, TikTok, Kuaishou live selling); sources are scaled into their boxes.</source>
        <translation>画布就是推流和录制的画面。竖屏适合手机观众（抖音、TikTok、快手带货）；信号源会缩放到各自的区域。</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="292"/>
        <source>Encoder</source>
        <translation>编码器</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="295"/>
        <source>Automatic (a hardware encoder if one works, else x264)</source>
        <translation>自动（优先硬件编码器，否则 x264）</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="296"/>
        <source>x264 (software, uses the CPU)</source>
        <translation>x264（软件编码，使用 CPU）</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="297"/>
        <source>NVIDIA NVENC</source>
        <translation>NVIDIA NVENC</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="298"/>
        <source>Intel Quick Sync</source>
        <translation>Intel Quick Sync</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="299"/>
        <source>Apple VideoToolbox</source>
        <translation>Apple VideoToolbox</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="305"/>
        <source>Encoder:</source>
        <translation>编码器：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="311"/>
        <source>x264 speed: faster presets use less CPU for a little less quality at the same bitrate</source>
        <translation>x264 速度：更快的预设占用更少 CPU，同码率下画质略低</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="313"/>
        <source>Preset:</source>
        <translation>预设：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="315"/>
        <source>Video bitrate:</source>
        <translation>视频码率：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="317"/>
        <source>Most platforms ask for a keyframe every 2 seconds (2000 ms)</source>
        <translation>多数平台要求每 2 秒一个关键帧（2000 毫秒）</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="318"/>
        <source>Keyframe interval:</source>
        <translation>关键帧间隔：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="320"/>
        <source>Audio bitrate:</source>
        <translation>音频码率：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="323"/>
        <source>Recording</source>
        <translation>录制</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="327"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="331"/>
        <source>Folder:</source>
        <translation>文件夹：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="332"/>
        <source>Also write an MP4 copy when a recording stops</source>
        <translation>录制结束时另存一份 MP4</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="354"/>
        <source>Recording folder</source>
        <translation>录制文件夹</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="366"/>
        <source>Where the show goes live. For Douyin, TikTok, Taobao, Kuaishou and most other platforms choose Custom and paste the server URL and stream key they give you.</source>
        <translation>节目推流的平台。抖音、TikTok、淘宝、快手等大多数平台请选择“自定义”，粘贴平台提供的服务器地址和推流码。</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="379"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="380"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="386"/>
        <source>Destination</source>
        <translation>推流目标</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="390"/>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="393"/>
        <source>Custom (server URL and key)</source>
        <translation>自定义（服务器地址和推流码）</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="394"/>
        <source>YouTube (RTMP)</source>
        <translation>YouTube (RTMP)</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="395"/>
        <source>YouTube (RTMPS)</source>
        <translation>YouTube (RTMPS)</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="396"/>
        <source>Twitch</source>
        <translation>Twitch</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="400"/>
        <source>Platform:</source>
        <translation>平台：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="403"/>
        <source>Server URL:</source>
        <translation>服务器地址：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="407"/>
        <source>Paste the stream key</source>
        <translation>粘贴推流码</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="408"/>
        <location filename="../settings_dialog.py" line="516"/>
        <location filename="../settings_dialog.py" line="761"/>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="413"/>
        <source>Stream key:</source>
        <translation>推流码：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="414"/>
        <source>Go live to this destination</source>
        <translation>向此目标推流</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="418"/>
        <source>The stream key is saved in the show file and never shown anywhere else.</source>
        <translation>推流码保存在节目文件中，不会在其他任何地方显示。</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="425"/>
        <source>No destinations yet: add one for each platform to go live to.</source>
        <translation>还没有推流目标：为每个要直播的平台添加一个。</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="455"/>
        <source>(no name)</source>
        <translation>（无名称）</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="456"/>
        <source>{name} (off)</source>
        <translation>{name}（关闭）</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="516"/>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="530"/>
        <source>Destination {number}</source>
        <translation>推流目标 {number}</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="579"/>
        <source>This show has no video sources.</source>
        <translation>本节目没有视频源。</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="582"/>
        <source>The settings of each camera and other video source of this show.</source>
        <translation>本节目每个摄像头和其他视频源的设置。</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="609"/>
        <source>camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="610"/>
        <source>test pattern</source>
        <translation>测试图</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="611"/>
        <source>colour</source>
        <translation>纯色</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="612"/>
        <source>image</source>
        <translation>图片</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="613"/>
        <source>media file</source>
        <translation>媒体文件</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="614"/>
        <source>network feed</source>
        <translation>网络信号</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="622"/>
        <source>Choose a connected camera…</source>
        <translation>选择已连接的摄像头…</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="628"/>
        <source>Connected cameras:</source>
        <translation>已连接的摄像头：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="631"/>
        <source>Mode:</source>
        <translation>模式：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="648"/>
        <location filename="../settings_dialog.py" line="653"/>
        <source>(no modes)</source>
        <translation>（无模式）</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="649"/>
        <source>Camera not connected; modes can be typed in.</source>
        <translation>摄像头未连接；可手动输入模式。</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="655"/>
        <source>{name}: modes unknown ({why}); modes can be typed in</source>
        <translation>{name}：模式未知（{why}）；可手动输入模式</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="656"/>
        <source>not reported</source>
        <translation>未报告</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="661"/>
        <source>Choose a mode the camera offers…</source>
        <translation>选择摄像头支持的模式…</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="667"/>
        <source>{name}: connected</source>
        <translation>{name}：已连接</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="694"/>
        <source>Sound devices cannot be listed here ({problem}). Type a device name or number, or leave the field empty.</source>
        <translation>无法列出声音设备（{problem}）。请输入设备名称或编号，或留空。</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="703"/>
        <source>Microphones</source>
        <translation>麦克风</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="710"/>
        <source>Default</source>
        <translation>默认</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="714"/>
        <source>This show has no microphone inputs.</source>
        <translation>本节目没有麦克风输入。</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="716"/>
        <source>No microphones found on this computer.</source>
        <translation>这台电脑上没有找到麦克风。</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="719"/>
        <source>Monitoring</source>
        <translation>监听</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="722"/>
        <location filename="../settings_dialog.py" line="725"/>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="723"/>
        <source>Headphones for the seller: the program sound</source>
        <translation>主播耳机：节目声音</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="724"/>
        <source>Monitor (headphones):</source>
        <translation>监听（耳机）：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="727"/>
        <source>The output that feeds a remote guest: the program sound without their own voice</source>
        <translation>送给远程嘉宾的输出：不含嘉宾自己声音的节目声</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="729"/>
        <source>Mix-minus (to the guest):</source>
        <translation>减混（返送嘉宾）：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="741"/>
        <source>App</source>
        <translation>应用</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="744"/>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="747"/>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="750"/>
        <source>Remote control (obs-websocket 5: Stream Deck, Companion, Touch Portal)</source>
        <translation>远程控制（obs-websocket 5：Stream Deck、Companion、Touch Portal）</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="752"/>
        <source>Enabled</source>
        <translation>启用</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="757"/>
        <source>Allow other devices on the network (phones, tablets)</source>
        <translation>允许网络上的其他设备（手机、平板）</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="770"/>
        <source>Port:</source>
        <translation>端口：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="772"/>
        <source>Password:</source>
        <translation>密码：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="773"/>
        <source>Changes apply the next time the studio starts.</source>
        <translation>修改在下次启动时生效。</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="795"/>
        <source>number {n}</source>
        <translation>编号 {n}</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="809"/>
        <location filename="../settings_dialog.py" line="817"/>
        <source>Destination “{name}”: {problem}</source>
        <translation>推流目标“{name}”：{problem}</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="852"/>
        <source>Source “{name}”: {problem}</source>
        <translation>信号源“{name}”：{problem}</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="864"/>
        <source>Choose a folder for recordings.</source>
        <translation>选择录制文件夹。</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="872"/>
        <source>The show cannot be saved like this: {problem}</source>
        <translation>节目无法这样保存：{problem}</translation>
    </message>
</context>
<context>
    <name>StudioStatusBar</name>
    <message>
        <location filename="../status_bar.py" line="40"/>
        <source>Program: starting</source>
        <translation>节目：启动中</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="43"/>
        <location filename="../status_bar.py" line="77"/>
        <source>REC off</source>
        <translation>未录制</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="59"/>
        <source>Program {fps:.1f} fps, dropped {dropped}, lagged {lagged}</source>
        <translation>节目 {fps:.1f} fps，丢帧 {dropped}，延迟 {lagged}</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="63"/>
        <source>CPU {percent:.0f}%</source>
        <translation>CPU {percent:.0f}%</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="74"/>
        <source>REC {time}</source>
        <translation>录制 {time}</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="78"/>
        <source>Disk {gb:.1f} GB free</source>
        <translation>磁盘剩余 {gb:.1f} GB</translation>
    </message>
</context>
<context>
    <name>TransitionPanel</name>
    <message>
        <location filename="../panels.py" line="84"/>
        <location filename="../panels.py" line="92"/>
        <source>Cut</source>
        <translation>切换</translation>
    </message>
    <message>
        <location filename="../panels.py" line="85"/>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../panels.py" line="93"/>
        <source>Mix</source>
        <translation>叠化</translation>
    </message>
    <message>
        <location filename="../panels.py" line="94"/>
        <source>Wipe</source>
        <translation>划像</translation>
    </message>
    <message>
        <location filename="../panels.py" line="95"/>
        <source>Dip to colour</source>
        <translation>闪色转场</translation>
    </message>
    <message>
        <location filename="../panels.py" line="102"/>
        <source> ms</source>
        <translation> 毫秒</translation>
    </message>
    <message>
        <location filename="../panels.py" line="103"/>
        <source>Transition</source>
        <translation>转场</translation>
    </message>
    <message>
        <location filename="../panels.py" line="105"/>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <location filename="../panels.py" line="111"/>
        <source>T-bar: drag to mix by hand; the end completes the transition</source>
        <translation>T 型推杆：拖动手动转场；推到底完成转场</translation>
    </message>
</context>
<context>
    <name>actions</name>
    <message>
        <location filename="../hotkeys.py" line="38"/>
        <source>Cut preview to program</source>
        <translation>预监切到节目</translation>
    </message>
    <message>
        <location filename="../hotkeys.py" line="39"/>
        <source>Auto transition</source>
        <translation>自动转场</translation>
    </message>
    <message>
        <location filename="../hotkeys.py" line="42"/>
        <source>Scene {n} to preview ({name})</source>
        <translation>场景 {n} 送预监（{name}）</translation>
    </message>
    <message>
        <location filename="../hotkeys.py" line="45"/>
        <source>Scene {n} to program ({name})</source>
        <translation>场景 {n} 切节目（{name}）</translation>
    </message>
    <message>
        <location filename="../hotkeys.py" line="49"/>
        <source>Product {n}: {title}</source>
        <translation>商品 {n}：{title}</translation>
    </message>
    <message>
        <location filename="../hotkeys.py" line="52"/>
        <source>Next product</source>
        <translation>下一个商品</translation>
    </message>
    <message>
        <location filename="../hotkeys.py" line="53"/>
        <source>Previous product</source>
        <translation>上一个商品</translation>
    </message>
    <message>
        <location filename="../hotkeys.py" line="54"/>
        <source>3-2-1 link run (current product)</source>
        <translation>3-2-1 上链接（当前商品）</translation>
    </message>
    <message>
        <location filename="../hotkeys.py" line="55"/>
        <source>Dismiss the product card</source>
        <translation>关闭商品卡片</translation>
    </message>
    <message>
        <location filename="../hotkeys.py" line="56"/>
        <source>Apply the current product&apos;s preset</source>
        <translation>应用当前商品的预设</translation>
    </message>
    <message>
        <location filename="../hotkeys.py" line="57"/>
        <source>Sold out on/off (current product)</source>
        <translation>售罄 开/关（当前商品）</translation>
    </message>
    <message>
        <location filename="../hotkeys.py" line="60"/>
        <source>Mute/unmute {name}</source>
        <translation>静音/取消静音 {name}</translation>
    </message>
    <message>
        <location filename="../hotkeys.py" line="62"/>
        <source>Start/stop streaming</source>
        <translation>开始/停止推流</translation>
    </message>
    <message>
        <location filename="../hotkeys.py" line="63"/>
        <source>Start/stop recording</source>
        <translation>开始/停止录制</translation>
    </message>
    <message>
        <location filename="../hotkeys.py" line="109"/>
        <source>{key} is already bound to “{other}”; it cannot also do “{this}”</source>
        <translation>{key} 已绑定到“{other}”，不能再用于“{this}”</translation>
    </message>
</context>
</TS>
