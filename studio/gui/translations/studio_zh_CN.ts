<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AddSourceDialog</name>
    <message>
        <location filename="../add_source_dialog.py" line="92"/>
        <source>{name} voice</source>
        <translation>{name}的声音</translation>
    </message>
    <message>
        <location filename="../add_source_dialog.py" line="198"/>
        <source>Add {kind}</source>
        <translation>添加{kind}</translation>
    </message>
    <message>
        <location filename="../add_source_dialog.py" line="233"/>
        <source>Properties of “{name}”</source>
        <translation>“{name}”的属性</translation>
    </message>
</context>
<context>
    <name>CanvasColumn</name>
    <message>
        <location filename="../canvas_column.py" line="63"/>
        <location filename="../canvas_column.py" line="89"/>
        <source>Program</source>
        <translation>节目</translation>
    </message>
    <message>
        <location filename="../canvas_column.py" line="63"/>
        <source>Watch this canvas&apos;s program</source>
        <translation>查看此画布的节目画面</translation>
    </message>
    <message>
        <location filename="../canvas_column.py" line="65"/>
        <source>Edit layout</source>
        <translation>编辑布局</translation>
    </message>
    <message>
        <location filename="../canvas_column.py" line="67"/>
        <source>Show the preview scene on this canvas and edit its layers here (drag, resize, crop)</source>
        <translation>在此画布上显示预览场景，并在这里编辑其图层（拖动、缩放、裁剪）</translation>
    </message>
    <message>
        <location filename="../canvas_column.py" line="77"/>
        <source>Follow main</source>
        <translation>跟随主画布</translation>
    </message>
    <message>
        <location filename="../canvas_column.py" line="79"/>
        <source>Drop this scene&apos;s own layout on this canvas and derive it from the main canvas&apos;s layout again</source>
        <translation>丢弃此场景在此画布上的独立布局，重新按主画布的布局生成</translation>
    </message>
    <message>
        <location filename="../canvas_column.py" line="84"/>
        <source>Overlays...</source>
        <translation>叠加层...</translation>
    </message>
    <message>
        <location filename="../canvas_column.py" line="85"/>
        <source>Where the product card, countdown, lower third and comment ticker go on this canvas</source>
        <translation>商品卡、倒计时、字幕条和评论滚动条在此画布上的位置</translation>
    </message>
    <message>
        <location filename="../canvas_column.py" line="174"/>
        <source>Follow the main layout</source>
        <translation>跟随主画布布局</translation>
    </message>
    <message>
        <location filename="../canvas_column.py" line="231"/>
        <source>PREVIEW ({canvas})</source>
        <translation>预览（{canvas}）</translation>
    </message>
    <message>
        <location filename="../canvas_column.py" line="232"/>
        <source>Preview: {scene}</source>
        <translation>预览：{scene}</translation>
    </message>
    <message>
        <location filename="../canvas_column.py" line="234"/>
        <source>PROGRAM ({canvas})</source>
        <translation>节目（{canvas}）</translation>
    </message>
    <message>
        <location filename="../canvas_column.py" line="235"/>
        <source>Program: {scene}</source>
        <translation>节目：{scene}</translation>
    </message>
</context>
<context>
    <name>CanvasOverlaysDialog</name>
    <message>
        <location filename="../canvas_overlays_dialog.py" line="71"/>
        <source>Overlays on the {canvas} canvas</source>
        <translation>{canvas} 画布上的叠加层</translation>
    </message>
    <message>
        <location filename="../canvas_overlays_dialog.py" line="73"/>
        <source>Product card</source>
        <translation>商品卡</translation>
    </message>
    <message>
        <location filename="../canvas_overlays_dialog.py" line="74"/>
        <source>Countdown</source>
        <translation>倒计时</translation>
    </message>
    <message>
        <location filename="../canvas_overlays_dialog.py" line="75"/>
        <source>Lower third</source>
        <translation>字幕条</translation>
    </message>
    <message>
        <location filename="../canvas_overlays_dialog.py" line="76"/>
        <source>Comment ticker</source>
        <translation>评论滚动条</translation>
    </message>
    <message>
        <location filename="../canvas_overlays_dialog.py" line="79"/>
        <source>Follow main</source>
        <translation>跟随主画布</translation>
    </message>
    <message>
        <location filename="../canvas_overlays_dialog.py" line="80"/>
        <source>Top left</source>
        <translation>左上</translation>
    </message>
    <message>
        <location filename="../canvas_overlays_dialog.py" line="81"/>
        <source>Top</source>
        <translation>上方</translation>
    </message>
    <message>
        <location filename="../canvas_overlays_dialog.py" line="82"/>
        <source>Top right</source>
        <translation>右上</translation>
    </message>
    <message>
        <location filename="../canvas_overlays_dialog.py" line="83"/>
        <source>Left</source>
        <translation>左侧</translation>
    </message>
    <message>
        <location filename="../canvas_overlays_dialog.py" line="84"/>
        <source>Centre</source>
        <translation>居中</translation>
    </message>
    <message>
        <location filename="../canvas_overlays_dialog.py" line="85"/>
        <source>Right</source>
        <translation>右侧</translation>
    </message>
    <message>
        <location filename="../canvas_overlays_dialog.py" line="86"/>
        <source>Bottom left</source>
        <translation>左下</translation>
    </message>
    <message>
        <location filename="../canvas_overlays_dialog.py" line="87"/>
        <source>Bottom</source>
        <translation>下方</translation>
    </message>
    <message>
        <location filename="../canvas_overlays_dialog.py" line="88"/>
        <source>Bottom right</source>
        <translation>右下</translation>
    </message>
    <message>
        <location filename="../canvas_overlays_dialog.py" line="91"/>
        <source>Overlay</source>
        <translation>叠加层</translation>
    </message>
    <message>
        <location filename="../canvas_overlays_dialog.py" line="91"/>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <location filename="../canvas_overlays_dialog.py" line="91"/>
        <source>Position</source>
        <translation>位置</translation>
    </message>
    <message>
        <location filename="../canvas_overlays_dialog.py" line="91"/>
        <source>Margin</source>
        <translation>边距</translation>
    </message>
    <message>
        <location filename="../canvas_overlays_dialog.py" line="91"/>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <location filename="../canvas_overlays_dialog.py" line="101"/>
        <source>Follow main keeps each overlay where it is on the main canvas, relatively; 100 % keeps its own pixels (the card&apos;s QR code stays sharp). A phone app draws its own buttons and comments at the bottom: a margin keeps the card clear of them. Changes show on the next frame.</source>
        <translation>“跟随主画布”让每个叠加层保持它在主画布上的相对位置；100 % 保持原始像素（商品卡的二维码保持清晰）。手机应用会在底部绘制自己的按钮和评论：留出边距可让商品卡避开它们。更改在下一帧生效。</translation>
    </message>
</context>
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
        <location filename="../settings_dialog.py" line="118"/>
        <location filename="../settings_dialog.py" line="137"/>
        <source>{device} (not connected)</source>
        <translation>{device}（未连接）</translation>
    </message>
</context>
<context>
    <name>EditHistory</name>
    <message>
        <location filename="../undo.py" line="131"/>
        <location filename="../undo.py" line="139"/>
        <source>&amp;Undo</source>
        <translation>撤销(&amp;U)</translation>
    </message>
    <message>
        <location filename="../undo.py" line="133"/>
        <location filename="../undo.py" line="140"/>
        <source>&amp;Redo</source>
        <translation>重做(&amp;R)</translation>
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
    <name>GuestCard</name>
    <message>
        <location filename="../guests_panel.py" line="149"/>
        <source>Copy link</source>
        <translation>复制链接</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="150"/>
        <source>Put the guest&apos;s link on the clipboard, to send it to them</source>
        <translation>将嘉宾的链接复制到剪贴板，以便发给对方</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="151"/>
        <source>Show QR</source>
        <translation>显示二维码</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="152"/>
        <source>The link as a QR code, for the guest to scan with a phone</source>
        <translation>以二维码显示链接，供嘉宾用手机扫码</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="153"/>
        <source>New link</source>
        <translation>生成新链接</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="154"/>
        <source>Make a new link: the old one stops working and whoever joined with it is disconnected</source>
        <translation>生成新链接：旧链接将失效，用旧链接加入的人会被断开</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="159"/>
        <source>May see program video</source>
        <translation>可看节目画面</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="160"/>
        <source>The guest sees the show as it goes out, besides hearing it</source>
        <translation>嘉宾除了能听到节目，还能看到正在播出的画面</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="161"/>
        <source>Browser echo cancellation / noise suppression</source>
        <translation>浏览器回声消除 / 降噪</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="163"/>
        <source>Off for a guest with a good microphone and headphones: their voice is sent untouched</source>
        <translation>嘉宾有好的麦克风和耳机时可关闭：其声音将原样传送</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="194"/>
        <source>Waiting</source>
        <translation>等待中</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="195"/>
        <source>Connecting</source>
        <translation>连接中</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="196"/>
        <source>Live</source>
        <translation>连麦中</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="197"/>
        <source>Lost</source>
        <translation>已掉线</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="206"/>
        <source>{fps:.0f} fps</source>
        <translation>{fps:.0f} fps</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="207"/>
        <source>{kbps:.0f} kbps</source>
        <translation>{kbps:.0f} kbps</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="210"/>
        <source>RTT {ms:.0f} ms</source>
        <translation>往返延迟 {ms:.0f} 毫秒</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="211"/>
        <source>loss {percent:.1f}%</source>
        <translation>丢包 {percent:.1f}%</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="213"/>
        <source>uplink limited</source>
        <translation>上行受限</translation>
    </message>
</context>
<context>
    <name>GuestQrDialog</name>
    <message>
        <location filename="../guests_panel.py" line="95"/>
        <source>Link for “{name}”</source>
        <translation>“{name}”的链接</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="103"/>
        <source>Whoever scans this code or has this link can join the show as {name}. Show it only to {name}; New link makes it stop working.</source>
        <translation>任何人扫描此二维码或拿到此链接，都能以 {name} 的身份加入节目。请只给 {name} 看；点击“生成新链接”可让它失效。</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="113"/>
        <source>Copy link</source>
        <translation>复制链接</translation>
    </message>
</context>
<context>
    <name>GuestSettingsTab</name>
    <message>
        <location filename="../guest_settings_tab.py" line="64"/>
        <source>Where guests connect</source>
        <translation>嘉宾接入</translation>
    </message>
    <message>
        <location filename="../guest_settings_tab.py" line="69"/>
        <source>Any free port</source>
        <translation>任意空闲端口</translation>
    </message>
    <message>
        <location filename="../guest_settings_tab.py" line="72"/>
        <source>A fixed port keeps the guests&apos; links the same from one show to the next</source>
        <translation>使用固定端口，嘉宾的链接每场节目都保持不变</translation>
    </message>
    <message>
        <location filename="../guest_settings_tab.py" line="73"/>
        <source>Port:</source>
        <translation>端口：</translation>
    </message>
    <message>
        <location filename="../guest_settings_tab.py" line="74"/>
        <source>Let guests on this network join (HTTPS with a certificate the studio makes)</source>
        <translation>允许本网络中的嘉宾加入（HTTPS，使用本软件生成的证书）</translation>
    </message>
    <message>
        <location filename="../guest_settings_tab.py" line="78"/>
        <source>A guest&apos;s browser warns once about the studio&apos;s own certificate; they accept it to go on.</source>
        <translation>嘉宾的浏览器会对本软件自己的证书提示一次警告；接受后即可继续。</translation>
    </message>
    <message>
        <location filename="../guest_settings_tab.py" line="82"/>
        <source>Public URL:</source>
        <translation>公网地址：</translation>
    </message>
    <message>
        <location filename="../guest_settings_tab.py" line="86"/>
        <source>For guests outside your network: the address of a reverse proxy or tunnel you run that forwards to this studio. Links then use it instead of this computer&apos;s address.</source>
        <translation>供你网络之外的嘉宾使用：填写你自己运行的、转发到本软件的反向代理或隧道地址。链接将使用这个地址，而不是这台电脑的地址。</translation>
    </message>
    <message>
        <location filename="../guest_settings_tab.py" line="94"/>
        <source>STUN and TURN servers</source>
        <translation>STUN 和 TURN 服务器</translation>
    </message>
    <message>
        <location filename="../guest_settings_tab.py" line="99"/>
        <source>A guest outside your network usually needs a TURN server (a relay); STUN alone finds a path only through simple routers. Several URLs of one server go in one row, separated by spaces.</source>
        <translation>网络之外的嘉宾通常需要 TURN 服务器（中继）；仅靠 STUN 只能穿过简单的路由器。同一服务器的多个地址写在同一行，用空格分隔。</translation>
    </message>
    <message>
        <location filename="../guest_settings_tab.py" line="106"/>
        <source>URLs</source>
        <translation>地址</translation>
    </message>
    <message>
        <location filename="../guest_settings_tab.py" line="106"/>
        <source>Username</source>
        <translation>用户名</translation>
    </message>
    <message>
        <location filename="../guest_settings_tab.py" line="106"/>
        <source>Credential</source>
        <translation>凭据</translation>
    </message>
    <message>
        <location filename="../guest_settings_tab.py" line="119"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location filename="../guest_settings_tab.py" line="120"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../guest_settings_tab.py" line="131"/>
        <source>A new port, network setting or server list applies when no guest is in a call: the guest service restarts by itself. TURN credentials are saved in the show file.</source>
        <translation>新的端口、网络设置或服务器列表会在没有嘉宾连麦时生效：嘉宾服务会自动重启。TURN 凭据保存在节目文件中。</translation>
    </message>
</context>
<context>
    <name>GuestsPanel</name>
    <message>
        <location filename="../guests_panel.py" line="254"/>
        <source>No guests in this show. Add one, then send them their link.</source>
        <translation>本节目还没有嘉宾。添加一位，再把链接发给对方。</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="261"/>
        <location filename="../guests_panel.py" line="480"/>
        <source>Add guest</source>
        <translation>添加嘉宾</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="262"/>
        <source>A new guest with their own link and their voice in the mixer; put them on a scene in Layers</source>
        <translation>新嘉宾有自己的链接，声音进入混音台；请在“图层”中把嘉宾放到场景里</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="313"/>
        <source>Guests join through {url}</source>
        <translation>嘉宾通过 {url} 加入</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="315"/>
        <source>Guests on this network join at {url}</source>
        <translation>本网络中的嘉宾通过 {url} 加入</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="318"/>
        <source>Guests join at {url}: this computer only. For guests elsewhere: Settings, Guests.</source>
        <translation>嘉宾通过 {url} 加入：仅限这台电脑。其他地方的嘉宾请见“设置 → 嘉宾”。</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="321"/>
        <source>The guest service is not running.</source>
        <translation>嘉宾服务未运行。</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="327"/>
        <source>No link while the guest service is not running</source>
        <translation>嘉宾服务未运行，没有链接</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="329"/>
        <source>No link yet: make one with New link</source>
        <translation>还没有链接：点击“生成新链接”</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="379"/>
        <source>Guests: cannot listen on port {port}: {reason}</source>
        <translation>嘉宾：无法监听端口 {port}：{reason}</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="420"/>
        <source>Link for “{name}” copied: send it to {name} only</source>
        <translation>“{name}”的链接已复制：只发给 {name}</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="440"/>
        <source>Make a new link for “{name}”? The old link stops working, and if {name} is in the call they are disconnected.</source>
        <translation>为“{name}”生成新链接？旧链接将失效；如果 {name} 正在连麦，会被断开。</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="442"/>
        <source>New link</source>
        <translation>生成新链接</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="454"/>
        <source>New link for “{name}”: the old one no longer works</source>
        <translation>已为“{name}”生成新链接：旧链接已失效</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="466"/>
        <source>May see program video</source>
        <translation>可看节目画面</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="466"/>
        <source>Browser echo cancellation</source>
        <translation>浏览器回声消除</translation>
    </message>
    <message>
        <location filename="../guests_panel.py" line="483"/>
        <source>“{name}” added: copy their link, and put them on a scene in Layers</source>
        <translation>已添加“{name}”：请复制链接，并在“图层”中放到场景里</translation>
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
    <name>LayerEditor</name>
    <message>
        <location filename="../layer_editor.py" line="171"/>
        <source>Click a layer to select it; drag to move it; drag a handle to resize it (Shift: free aspect ratio); Alt+drag an edge to crop; hold Ctrl to turn snapping off; arrow keys nudge by 1 px (Shift: 10 px); right-click for more.</source>
        <translation>单击图层即可选中；拖动可移动；拖动控制点可缩放（Shift：不锁定比例）；Alt+拖动边缘可裁剪；按住 Ctrl 可关闭吸附；方向键微调 1 像素（Shift：10 像素）；右键查看更多操作。</translation>
    </message>
    <message>
        <location filename="../layer_editor.py" line="452"/>
        <location filename="../layer_editor.py" line="522"/>
        <source>Move layer</source>
        <translation>移动图层</translation>
    </message>
    <message>
        <location filename="../layer_editor.py" line="452"/>
        <source>Resize layer</source>
        <translation>缩放图层</translation>
    </message>
    <message>
        <location filename="../layer_editor.py" line="452"/>
        <source>Crop layer</source>
        <translation>裁剪图层</translation>
    </message>
    <message>
        <location filename="../layer_editor.py" line="583"/>
        <source>Transform...</source>
        <translation>变换...</translation>
    </message>
    <message>
        <location filename="../layer_editor.py" line="585"/>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <location filename="../layer_editor.py" line="585"/>
        <source>Hide layer</source>
        <translation>隐藏图层</translation>
    </message>
    <message>
        <location filename="../layer_editor.py" line="587"/>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <location filename="../layer_editor.py" line="587"/>
        <source>Unlock layer</source>
        <translation>解锁图层</translation>
    </message>
    <message>
        <location filename="../layer_editor.py" line="589"/>
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <location filename="../layer_editor.py" line="589"/>
        <source>Lock layer</source>
        <translation>锁定图层</translation>
    </message>
    <message>
        <location filename="../layer_editor.py" line="591"/>
        <source>Bring to front</source>
        <translation>置于顶层</translation>
    </message>
    <message>
        <location filename="../layer_editor.py" line="592"/>
        <source>Send to back</source>
        <translation>置于底层</translation>
    </message>
    <message>
        <location filename="../layer_editor.py" line="594"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../layer_editor.py" line="608"/>
        <source>Bring layer to front</source>
        <translation>将图层置于顶层</translation>
    </message>
    <message>
        <location filename="../layer_editor.py" line="608"/>
        <source>Send layer to back</source>
        <translation>将图层置于底层</translation>
    </message>
    <message>
        <location filename="../layer_editor.py" line="620"/>
        <source>Remove layer</source>
        <translation>删除图层</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../desktop.py" line="72"/>
        <location filename="../main_window.py" line="452"/>
        <source>Could not open the show</source>
        <translation>无法打开节目</translation>
    </message>
    <message>
        <location filename="../desktop.py" line="73"/>
        <source>{error}

The demo show is open instead.</source>
        <translation>{error}

已改为打开演示节目。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="152"/>
        <source>Preview</source>
        <translation>预监</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="153"/>
        <source>Program</source>
        <translation>节目</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="156"/>
        <source>PREVIEW</source>
        <translation>预监</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="156"/>
        <source>PROGRAM</source>
        <translation>节目</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="198"/>
        <source>Multiview</source>
        <translation>多画面监看</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="199"/>
        <source>Scenes</source>
        <translation>场景</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="202"/>
        <source>Transitions</source>
        <translation>转场</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="203"/>
        <source>Audio Mixer</source>
        <translation>混音台</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="211"/>
        <source>Products</source>
        <translation>商品</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="213"/>
        <source>Comments</source>
        <translation>评论</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="217"/>
        <source>Guests</source>
        <translation>嘉宾</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="224"/>
        <source>Layers</source>
        <translation>图层</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="225"/>
        <source>Sources</source>
        <translation>来源</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="261"/>
        <source>Controls</source>
        <translation>控制</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="264"/>
        <location filename="../main_window.py" line="642"/>
        <location filename="../main_window.py" line="656"/>
        <location filename="../main_window.py" line="689"/>
        <source>Go Live</source>
        <translation>开播</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="265"/>
        <location filename="../main_window.py" line="674"/>
        <location filename="../main_window.py" line="682"/>
        <location filename="../main_window.py" line="691"/>
        <location filename="../main_window.py" line="857"/>
        <source>Record</source>
        <translation>录制</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="278"/>
        <source>&amp;File</source>
        <translation>文件(&amp;F)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="279"/>
        <source>&amp;New show</source>
        <translation>新建节目(&amp;N)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="280"/>
        <source>&amp;Open show...</source>
        <translation>打开节目(&amp;O)...</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="281"/>
        <source>Open &amp;recent</source>
        <translation>最近打开(&amp;R)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="282"/>
        <source>&amp;Save</source>
        <translation>保存(&amp;S)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="283"/>
        <source>Save &amp;as...</source>
        <translation>另存为(&amp;A)...</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="285"/>
        <source>&amp;Quit</source>
        <translation>退出(&amp;Q)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="286"/>
        <source>&amp;Edit</source>
        <translation>编辑(&amp;E)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="289"/>
        <source>&amp;Settings</source>
        <translation>设置(&amp;S)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="290"/>
        <source>&amp;Settings...</source>
        <translation>设置(&amp;S)...</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="291"/>
        <source>&amp;Hotkeys...</source>
        <translation>快捷键(&amp;H)...</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="292"/>
        <source>&amp;View</source>
        <translation>视图(&amp;V)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="296"/>
        <source>&amp;Reset layout</source>
        <translation>重置布局(&amp;R)</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="362"/>
        <source>Hotkeys</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="414"/>
        <source>New show</source>
        <translation>新建节目</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="423"/>
        <source>My show</source>
        <translation>我的节目</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="427"/>
        <source>Build a show from the cameras on this computer ({cameras})?</source>
        <translation>用这台电脑上的摄像头（{cameras}）创建节目吗？</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="429"/>
        <source>The microphone goes into the mixer.</source>
        <translation>麦克风将加入混音台。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="430"/>
        <source>Your cameras</source>
        <translation>本机摄像头</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="438"/>
        <location filename="../main_window.py" line="441"/>
        <location filename="../main_window.py" line="447"/>
        <location filename="../main_window.py" line="502"/>
        <source>Open show</source>
        <translation>打开节目</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="409"/>
        <source>Stop streaming and recording before opening another show.</source>
        <translation>请先停止推流和录制，再打开其他节目。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="465"/>
        <source>Save show as</source>
        <translation>节目另存为</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="475"/>
        <source>Could not save</source>
        <translation>无法保存</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="475"/>
        <source>{file}: {reason}</source>
        <translation>{file}：{reason}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="535"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="540"/>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="540"/>
        <source>The new language is used the next time the studio starts.</source>
        <translation>新语言将在下次启动时生效。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="582"/>
        <source>This show has no products</source>
        <translation>本节目没有商品</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="616"/>
        <location filename="../main_window.py" line="677"/>
        <source>The show is still starting</source>
        <translation>节目仍在启动中</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="637"/>
        <source>End the live stream?</source>
        <translation>结束直播？</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="637"/>
        <source>Stop streaming to every destination?</source>
        <translation>停止向所有目标推流？</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="642"/>
        <source>No destination is set up. Add one in Settings, Destinations.</source>
        <translation>尚未设置推流目标。请在“设置 → 推流目标”中添加。</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="647"/>
        <source>Go live?</source>
        <translation>开始直播？</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="647"/>
        <source>Start streaming to:
{destinations}</source>
        <translation>开始推流到：
{destinations}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="674"/>
        <source>Cannot create the recording folder {folder}: {reason}</source>
        <translation>无法创建录制文件夹 {folder}：{reason}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="689"/>
        <source>End Live</source>
        <translation>结束直播</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="691"/>
        <source>Stop Recording</source>
        <translation>停止录制</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="733"/>
        <source>Comments API: cannot listen on port {port}: {reason}</source>
        <translation>评论接口：无法监听端口 {port}：{reason}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="749"/>
        <source>Remote control: cannot listen on port {port}: {reason}</source>
        <translation>远程控制：无法监听端口 {port}：{reason}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="810"/>
        <source>The show could not start</source>
        <translation>节目无法启动</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="832"/>
        <source>Preview: {scene}</source>
        <translation>预监：{scene}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="833"/>
        <source>Program: {scene}</source>
        <translation>节目：{scene}</translation>
    </message>
    <message>
        <source>PROGRAM ({canvas})</source>
        <translation type="vanished">节目（{canvas}）</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="857"/>
        <source>The recording stopped: {file}</source>
        <translation>录制已停止：{file}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="861"/>
        <source>{name}: {state} {reason}</source>
        <translation>{name}：{state} {reason}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="889"/>
        <source>Unsaved changes</source>
        <translation>未保存的修改</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="890"/>
        <source>Save the changes to {show}?</source>
        <translation>保存对 {show} 的修改吗？</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="924"/>
        <source>Could not save preferences: {reason}</source>
        <translation>无法保存偏好设置：{reason}</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="936"/>
        <source>Quit while on air?</source>
        <translation>直播中退出？</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="937"/>
        <source>You are live or recording. Stop streaming and recording, and quit?</source>
        <translation>正在直播或录制。停止推流和录制并退出吗？</translation>
    </message>
    <message>
        <location filename="../main_window.py" line="944"/>
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
        <location filename="../monitors.py" line="197"/>
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
        <location filename="../products_panel.py" line="280"/>
        <source>Search products (title or id)</source>
        <translation>搜索商品（标题或编号）</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="289"/>
        <source>Click: make it the current product (its look comes up). Double-click: edit.</source>
        <translation>单击：设为当前商品（调出其画面）。双击：编辑。</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="293"/>
        <source>No products yet: Add… or Import CSV…</source>
        <translation>还没有商品：添加… 或 导入 CSV…</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="297"/>
        <source>Edit…</source>
        <translation>编辑…</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="298"/>
        <source>Add…</source>
        <translation>添加…</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="299"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="300"/>
        <source>Import CSV…</source>
        <translation>导入 CSV…</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="322"/>
        <source>No talking points</source>
        <translation>没有卖点</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="323"/>
        <source>Talking points: notes for the host, never on screen</source>
        <translation>卖点：主播提示，不会上屏</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="326"/>
        <source>Sold out</source>
        <translation>售罄</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="329"/>
        <source>Mark the current product sold out (its card on screen is redrawn)</source>
        <translation>将当前商品标记为售罄（画面上的卡片会重绘）</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="333"/>
        <source>not shown</source>
        <translation>不显示</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="335"/>
        <source>Units left (the card on screen is redrawn)</source>
        <translation>剩余件数（画面上的卡片会重绘）</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="337"/>
        <source>Apply preset</source>
        <translation>应用预设</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="338"/>
        <source>Bring up the current product&apos;s scene and lower third again</source>
        <translation>重新调出当前商品的场景和字幕条</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="339"/>
        <source>Save look as preset</source>
        <translation>保存画面为预设</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="340"/>
        <source>The scene on preview and the lower third shown become this product&apos;s look</source>
        <translation>预监中的场景和当前字幕条成为该商品的画面</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="357"/>
        <source>Stock:</source>
        <translation>库存：</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="366"/>
        <source>Previous</source>
        <translation>上一个</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="367"/>
        <source>Next</source>
        <translation>下一个</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="368"/>
        <source>Dismiss card</source>
        <translation>关闭卡片</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="387"/>
        <source>Count 3, 2, 1 on screen, then pop the current product&apos;s card and push its link</source>
        <translation>画面倒数 3、2、1，然后弹出当前商品卡片并推送链接</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="480"/>
        <source>3-2-1 Link</source>
        <translation>3-2-1 上链接</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="481"/>
        <source>{action} ({key})</source>
        <translation>{action}（{key}）</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="526"/>
        <source>was {price}</source>
        <translation>原价 {price}</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="530"/>
        <source>coupon {code}</source>
        <translation>优惠券 {code}</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="535"/>
        <source>SOLD OUT</source>
        <translation>已售罄</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="538"/>
        <source>{count} left</source>
        <translation>剩 {count} 件</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="619"/>
        <source>No product selected</source>
        <translation>未选择商品</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="619"/>
        <source>No show running</source>
        <translation>节目未运行</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="654"/>
        <source>Rendering the card…</source>
        <translation>正在生成卡片…</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="677"/>
        <source>Card: {problem}</source>
        <translation>卡片：{problem}</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="712"/>
        <source>Link pushed: {title}</source>
        <translation>链接已推送：{title}</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="732"/>
        <source>No card on air</source>
        <translation>没有卡片显示</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="742"/>
        <source>3-2-1… card in {seconds} s: {title}</source>
        <translation>3-2-1… {seconds} 秒后弹出卡片：{title}</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="745"/>
        <source>Card on air: {title}</source>
        <translation>卡片显示中：{title}</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="748"/>
        <source>{text} ({seconds} s left)</source>
        <translation>{text}（还剩 {seconds} 秒）</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="829"/>
        <source>Look saved: scene {scene}</source>
        <translation>画面已保存：场景 {scene}</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="829"/>
        <source>(keep current)</source>
        <translation>（保持当前）</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="906"/>
        <source>Remove product</source>
        <translation>删除商品</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="906"/>
        <source>Remove “{title}” from the run sheet?</source>
        <translation>从商品清单中删除“{title}”？</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="915"/>
        <location filename="../products_panel.py" line="922"/>
        <source>Import products</source>
        <translation>导入商品</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="922"/>
        <source>CSV files (*.csv);;All files (*)</source>
        <translation>CSV 文件 (*.csv);;所有文件 (*)</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="939"/>
        <source>Could not import {file}: {problem}</source>
        <translation>无法导入 {file}：{problem}</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="957"/>
        <source>{file}: {count} products read, {added} added, {replaced} replaced.</source>
        <translation>{file}：读取 {count} 个商品，新增 {added} 个，替换 {replaced} 个。</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="962"/>
        <source>Replaced (same id): {ids}</source>
        <translation>已替换（编号相同）：{ids}</translation>
    </message>
    <message>
        <location filename="../products_panel.py" line="965"/>
        <source>{count} rows were skipped:</source>
        <translation>{count} 行被跳过：</translation>
    </message>
</context>
<context>
    <name>SceneEditor</name>
    <message>
        <location filename="../scene_editor.py" line="158"/>
        <source>The scene whose layers are listed</source>
        <translation>要列出图层的场景</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="160"/>
        <source>Follow preview</source>
        <translation>跟随预监</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="161"/>
        <source>Show the layers of the scene on preview</source>
        <translation>显示预监中场景的图层</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="181"/>
        <source>Top layer first. Drag to reorder; double-click: transform.</source>
        <translation>顶层图层在最上面。拖动可调整顺序；双击：变换。</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="182"/>
        <location filename="../scene_editor.py" line="437"/>
        <location filename="../scene_editor.py" line="440"/>
        <source>Remove layer</source>
        <translation>删除图层</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="193"/>
        <source>Add a source to this scene</source>
        <translation>向此场景添加来源</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="196"/>
        <source>Remove the selected layer</source>
        <translation>删除所选图层</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="197"/>
        <source>Duplicate the selected layer</source>
        <translation>复制所选图层</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="198"/>
        <source>Transform: exact position, size, crop...</source>
        <translation>变换：精确设置位置、尺寸、裁剪...</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="199"/>
        <location filename="../scene_editor.py" line="478"/>
        <source>Layout</source>
        <translation>布局</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="201"/>
        <source>Full</source>
        <translation>全屏</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="202"/>
        <source>PiP top left</source>
        <translation>画中画（左上）</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="203"/>
        <source>PiP top right</source>
        <translation>画中画（右上）</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="204"/>
        <source>PiP bottom left</source>
        <translation>画中画（左下）</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="205"/>
        <source>PiP bottom right</source>
        <translation>画中画（右下）</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="206"/>
        <source>Side by side</source>
        <translation>左右并排</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="207"/>
        <source>2x2 grid</source>
        <translation>2x2 宫格</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="208"/>
        <source>One large + two small</source>
        <translation>一大两小</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="216"/>
        <source>Layout: arrange this scene in one click</source>
        <translation>布局：一键排列此场景</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="219"/>
        <source>Move the selected layer up</source>
        <translation>上移所选图层</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="220"/>
        <source>Move the selected layer down</source>
        <translation>下移所选图层</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="316"/>
        <source>{source}: at {x}, {y}, {size}</source>
        <translation>{source}：位置 {x}, {y}，尺寸 {size}</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="370"/>
        <source>Add layer</source>
        <translation>添加图层</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="380"/>
        <source>(no sources: add one in the Sources dock)</source>
        <translation>（没有来源：请在“来源”面板中添加）</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="388"/>
        <source>Show layer</source>
        <translation>显示图层</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="388"/>
        <source>Hide layer</source>
        <translation>隐藏图层</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="392"/>
        <source>Unlock layer</source>
        <translation>解锁图层</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="392"/>
        <source>Lock layer</source>
        <translation>锁定图层</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="398"/>
        <source>Layers</source>
        <translation>图层</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="403"/>
        <source>Reorder layer</source>
        <translation>调整图层顺序</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="437"/>
        <source>Remove “{name}” from this scene?</source>
        <translation>从此场景中删除“{name}”？</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="447"/>
        <source>Duplicate layer</source>
        <translation>复制图层</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="459"/>
        <source>Transform</source>
        <translation>变换</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="478"/>
        <source>Add a source first.</source>
        <translation>请先添加来源。</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="480"/>
        <source>Layout: {name}</source>
        <translation>布局：{name}</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="492"/>
        <source>Add source</source>
        <translation>添加来源</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="498"/>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="498"/>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="499"/>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="499"/>
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="500"/>
        <source>Transform...</source>
        <translation>变换...</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="501"/>
        <source>Duplicate</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="503"/>
        <source>Move up</source>
        <translation>上移</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="504"/>
        <source>Move down</source>
        <translation>下移</translation>
    </message>
    <message>
        <location filename="../scene_editor.py" line="506"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
</context>
<context>
    <name>ScenePanel</name>
    <message>
        <location filename="../panels.py" line="69"/>
        <source>Click: to preview. Double-click: cut to program.</source>
        <translation>单击：送到预监。双击：直接切到节目。</translation>
    </message>
    <message>
        <location filename="../panels.py" line="82"/>
        <source>Add a scene</source>
        <translation>添加场景</translation>
    </message>
    <message>
        <location filename="../panels.py" line="83"/>
        <source>Remove the selected scene</source>
        <translation>删除所选场景</translation>
    </message>
    <message>
        <location filename="../panels.py" line="84"/>
        <source>Duplicate the selected scene</source>
        <translation>复制所选场景</translation>
    </message>
    <message>
        <location filename="../panels.py" line="85"/>
        <source>Rename the selected scene (Ctrl+double-click)</source>
        <translation>重命名所选场景（Ctrl+双击）</translation>
    </message>
    <message>
        <location filename="../panels.py" line="86"/>
        <source>Move the selected scene up</source>
        <translation>上移所选场景</translation>
    </message>
    <message>
        <location filename="../panels.py" line="87"/>
        <source>Move the selected scene down</source>
        <translation>下移所选场景</translation>
    </message>
    <message>
        <location filename="../panels.py" line="169"/>
        <source>Click: to preview. Double-click: cut to program. Drag to reorder; right-click to edit.</source>
        <translation>单击：送预监。双击：切到节目。拖动可调整顺序；右键可编辑。</translation>
    </message>
    <message>
        <location filename="../panels.py" line="170"/>
        <location filename="../panels.py" line="253"/>
        <location filename="../panels.py" line="256"/>
        <source>Remove scene</source>
        <translation>删除场景</translation>
    </message>
    <message>
        <location filename="../panels.py" line="208"/>
        <source>Scene</source>
        <translation>场景</translation>
    </message>
    <message>
        <location filename="../panels.py" line="210"/>
        <location filename="../panels.py" line="291"/>
        <source>Add scene</source>
        <translation>添加场景</translation>
    </message>
    <message>
        <location filename="../panels.py" line="222"/>
        <source>Duplicate scene</source>
        <translation>复制场景</translation>
    </message>
    <message>
        <location filename="../panels.py" line="240"/>
        <source>Rename scene</source>
        <translation>重命名场景</translation>
    </message>
    <message>
        <location filename="../panels.py" line="253"/>
        <source>Remove the scene “{name}”?</source>
        <translation>删除场景“{name}”？</translation>
    </message>
    <message>
        <location filename="../panels.py" line="262"/>
        <source>Move scene</source>
        <translation>移动场景</translation>
    </message>
    <message>
        <location filename="../panels.py" line="293"/>
        <source>Duplicate</source>
        <translation>复制</translation>
    </message>
    <message>
        <location filename="../panels.py" line="294"/>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <location filename="../panels.py" line="296"/>
        <source>Move up</source>
        <translation>上移</translation>
    </message>
    <message>
        <location filename="../panels.py" line="297"/>
        <source>Move down</source>
        <translation>下移</translation>
    </message>
    <message>
        <location filename="../panels.py" line="299"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <location filename="../settings_dialog.py" line="156"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="170"/>
        <source>Video</source>
        <translation>视频</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="171"/>
        <source>Output</source>
        <translation>输出</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="172"/>
        <source>Destinations</source>
        <translation>推流目标</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="173"/>
        <source>Cameras</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="174"/>
        <source>Audio</source>
        <translation>音频</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="176"/>
        <source>Guests</source>
        <translation>嘉宾</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="177"/>
        <source>General</source>
        <translation>常规</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="205"/>
        <source>Stop streaming and recording to change these</source>
        <translation>停止推流和录制后才能修改这些设置</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="217"/>
        <source>Canvas</source>
        <translation>画布</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="220"/>
        <source>1920x1080 (landscape)</source>
        <translation>1920x1080（横屏）</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="221"/>
        <source>1280x720</source>
        <translation>1280x720</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="222"/>
        <source>1080x1920 (vertical, phones)</source>
        <translation>1080x1920（竖屏，手机）</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="223"/>
        <source>720x1280 (vertical)</source>
        <translation>720x1280（竖屏）</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="224"/>
        <source>Custom</source>
        <translation>自定义</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="230"/>
        <source>Size:</source>
        <translation>尺寸：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="238"/>
        <source>Width × height:</source>
        <translation>宽 × 高：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="241"/>
        <source>{fps} frames per second</source>
        <translation>每秒 {fps} 帧</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="242"/>
        <source>Frame rate:</source>
        <translation>帧率：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="247"/>
        <source>The canvas is the picture that is streamed and recorded. Vertical suits viewers on phones (Douyin, TikTok, Kuaishou live selling); sources are scaled into their boxes.</source>
        <translation>画布就是推流和录制的画面。竖屏适合手机观众（抖音、TikTok、快手带货）；来源会缩放到各自的区域。</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="298"/>
        <source>Encoder</source>
        <translation>编码器</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="301"/>
        <source>Automatic (a hardware encoder if one works, else x264)</source>
        <translation>自动（优先硬件编码器，否则 x264）</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="302"/>
        <source>x264 (software, uses the CPU)</source>
        <translation>x264（软件编码，使用 CPU）</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="303"/>
        <source>NVIDIA NVENC</source>
        <translation>NVIDIA NVENC</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="304"/>
        <source>Intel Quick Sync</source>
        <translation>Intel Quick Sync</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="305"/>
        <source>Apple VideoToolbox</source>
        <translation>Apple VideoToolbox</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="311"/>
        <source>Encoder:</source>
        <translation>编码器：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="317"/>
        <source>x264 speed: faster presets use less CPU for a little less quality at the same bitrate</source>
        <translation>x264 速度：更快的预设占用更少 CPU，同码率下画质略低</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="319"/>
        <source>Preset:</source>
        <translation>预设：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="321"/>
        <source>Video bitrate:</source>
        <translation>视频码率：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="323"/>
        <source>Most platforms ask for a keyframe every 2 seconds (2000 ms)</source>
        <translation>多数平台要求每 2 秒一个关键帧（2000 毫秒）</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="324"/>
        <source>Keyframe interval:</source>
        <translation>关键帧间隔：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="326"/>
        <source>Audio bitrate:</source>
        <translation>音频码率：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="329"/>
        <source>Recording</source>
        <translation>录制</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="333"/>
        <source>Browse…</source>
        <translation>浏览…</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="337"/>
        <source>Folder:</source>
        <translation>文件夹：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="338"/>
        <source>Also write an MP4 copy when a recording stops</source>
        <translation>录制结束时另存一份 MP4</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="360"/>
        <source>Recording folder</source>
        <translation>录制文件夹</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="372"/>
        <source>Where the show goes live. For Douyin, TikTok, Taobao, Kuaishou and most other platforms choose Custom and paste the server URL and stream key they give you.</source>
        <translation>节目推流的平台。抖音、TikTok、淘宝、快手等大多数平台请选择“自定义”，粘贴平台提供的服务器地址和推流码。</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="385"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="386"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="392"/>
        <source>Destination</source>
        <translation>推流目标</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="396"/>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="399"/>
        <source>Custom (server URL and key)</source>
        <translation>自定义（服务器地址和推流码）</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="400"/>
        <source>YouTube (RTMP)</source>
        <translation>YouTube (RTMP)</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="401"/>
        <source>YouTube (RTMPS)</source>
        <translation>YouTube (RTMPS)</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="402"/>
        <source>Twitch</source>
        <translation>Twitch</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="406"/>
        <source>Platform:</source>
        <translation>平台：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="409"/>
        <source>rtmp://host/app, srt://host:port or a WHIP endpoint&apos;s https:// URL</source>
        <translation>rtmp://主机/应用、srt://主机:端口，或 WHIP 端点的 https:// 地址</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="411"/>
        <source>Server URL:</source>
        <translation>服务器地址：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="415"/>
        <location filename="../settings_dialog.py" line="558"/>
        <source>Paste the stream key</source>
        <translation>粘贴推流码</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="416"/>
        <location filename="../settings_dialog.py" line="596"/>
        <location filename="../settings_dialog.py" line="852"/>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="426"/>
        <source>The picture this destination receives: the main canvas, or another canvas of this show (e.g. vertical for phones)</source>
        <translation>此推流目标接收的画面：主画布，或本节目的其他画布（例如手机用的竖屏）</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="430"/>
        <source>Canvas:</source>
        <translation>画布：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="438"/>
        <source>Keys, tokens and passphrases are saved in the show file and never shown anywhere else.</source>
        <translation>推流码、令牌和加密口令保存在节目文件中，不会在其他任何地方显示。</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="522"/>
        <source>{canvas} (unknown canvas)</source>
        <translation>{canvas}（未知画布）</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="551"/>
        <source>Stream ID:</source>
        <translation>流 ID（Stream ID）：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="552"/>
        <source>Optional: the stream id the server expects</source>
        <translation>可选：服务器要求的流 ID</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="554"/>
        <source>Bearer token:</source>
        <translation>Bearer 令牌：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="555"/>
        <source>Paste the WHIP bearer token</source>
        <translation>粘贴 WHIP 的 Bearer 令牌</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="557"/>
        <source>Stream key:</source>
        <translation>推流码：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="432"/>
        <source>Go live to this destination</source>
        <translation>向此目标推流</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="445"/>
        <source>No destinations yet: add one for each platform to go live to.</source>
        <translation>还没有推流目标：为每个要直播的平台添加一个。</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="482"/>
        <source>(no name)</source>
        <translation>（无名称）</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="483"/>
        <source>{name} (off)</source>
        <translation>{name}（关闭）</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="596"/>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="610"/>
        <source>Destination {number}</source>
        <translation>推流目标 {number}</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="662"/>
        <source>This show has no video sources.</source>
        <translation>本节目没有视频源。</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="665"/>
        <source>The settings of each camera and other video source of this show.</source>
        <translation>本节目每个摄像头和其他视频源的设置。</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="694"/>
        <source>camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="695"/>
        <source>test pattern</source>
        <translation>测试图</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="696"/>
        <source>colour</source>
        <translation>纯色</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="697"/>
        <source>image</source>
        <translation>图片</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="698"/>
        <source>media file</source>
        <translation>媒体文件</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="699"/>
        <source>network feed</source>
        <translation>网络信号</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="700"/>
        <source>screen capture</source>
        <translation>屏幕采集</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="701"/>
        <source>guest</source>
        <translation>嘉宾</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="720"/>
        <source>Mode:</source>
        <translation>模式：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="739"/>
        <location filename="../settings_dialog.py" line="744"/>
        <source>(no modes)</source>
        <translation>（无模式）</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="740"/>
        <source>Camera not connected; modes can be typed in.</source>
        <translation>摄像头未连接；可手动输入模式。</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="746"/>
        <source>{name}: modes unknown ({why}); modes can be typed in</source>
        <translation>{name}：模式未知（{why}）；可手动输入模式</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="747"/>
        <source>not reported</source>
        <translation>未报告</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="752"/>
        <source>Choose a mode the camera offers…</source>
        <translation>选择摄像头支持的模式…</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="758"/>
        <source>{name}: connected</source>
        <translation>{name}：已连接</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="785"/>
        <source>Sound devices cannot be listed here ({problem}). Type a device name or number, or leave the field empty.</source>
        <translation>无法列出声音设备（{problem}）。请输入设备名称或编号，或留空。</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="794"/>
        <source>Microphones</source>
        <translation>麦克风</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="801"/>
        <source>Default</source>
        <translation>默认</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="805"/>
        <source>This show has no microphone inputs.</source>
        <translation>本节目没有麦克风输入。</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="807"/>
        <source>No microphones found on this computer.</source>
        <translation>这台电脑上没有找到麦克风。</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="810"/>
        <source>Monitoring</source>
        <translation>监听</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="813"/>
        <location filename="../settings_dialog.py" line="816"/>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="814"/>
        <source>Headphones for the seller: the program sound</source>
        <translation>主播耳机：节目声音</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="815"/>
        <source>Monitor (headphones):</source>
        <translation>监听（耳机）：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="818"/>
        <source>The output that feeds a remote guest: the program sound without their own voice</source>
        <translation>送给远程嘉宾的输出：不含嘉宾自己声音的节目声</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="820"/>
        <source>Mix-minus (to the guest):</source>
        <translation>减混（返送嘉宾）：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="832"/>
        <source>App</source>
        <translation>应用</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="835"/>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="838"/>
        <source>Language:</source>
        <translation>语言：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="841"/>
        <source>Remote control (obs-websocket 5: Stream Deck, Companion, Touch Portal)</source>
        <translation>远程控制（obs-websocket 5：Stream Deck、Companion、Touch Portal）</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="843"/>
        <source>Enabled</source>
        <translation>启用</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="848"/>
        <source>Allow other devices on the network (phones, tablets)</source>
        <translation>允许网络上的其他设备（手机、平板）</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="861"/>
        <source>Port:</source>
        <translation>端口：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="863"/>
        <source>Password:</source>
        <translation>密码：</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="864"/>
        <source>Changes apply the next time the studio starts.</source>
        <translation>修改在下次启动时生效。</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="886"/>
        <source>number {n}</source>
        <translation>编号 {n}</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="894"/>
        <location filename="../settings_dialog.py" line="904"/>
        <location filename="../settings_dialog.py" line="925"/>
        <location filename="../settings_dialog.py" line="933"/>
        <source>Destination “{name}”: {problem}</source>
        <translation>推流目标“{name}”：{problem}</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="968"/>
        <source>Source “{name}”: {problem}</source>
        <translation>来源“{name}”：{problem}</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="980"/>
        <source>Choose a folder for recordings.</source>
        <translation>选择录制文件夹。</translation>
    </message>
    <message>
        <location filename="../settings_dialog.py" line="992"/>
        <source>The show cannot be saved like this: {problem}</source>
        <translation>节目无法这样保存：{problem}</translation>
    </message>
</context>
<context>
    <name>SourceDialog</name>
    <message>
        <location filename="../add_source_dialog.py" line="141"/>
        <source>Name:</source>
        <translation>名称：</translation>
    </message>
    <message>
        <location filename="../add_source_dialog.py" line="142"/>
        <source>Kind:</source>
        <translation>类型：</translation>
    </message>
</context>
<context>
    <name>SourceKinds</name>
    <message>
        <location filename="../add_source_dialog.py" line="60"/>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <location filename="../add_source_dialog.py" line="61"/>
        <source>Screen capture</source>
        <translation>屏幕采集</translation>
    </message>
    <message>
        <location filename="../add_source_dialog.py" line="62"/>
        <source>Image</source>
        <translation>图片</translation>
    </message>
    <message>
        <location filename="../add_source_dialog.py" line="63"/>
        <source>Media file</source>
        <translation>媒体文件</translation>
    </message>
    <message>
        <location filename="../add_source_dialog.py" line="64"/>
        <source>Network feed (SRT/RTMP)</source>
        <translation>网络流（SRT/RTMP）</translation>
    </message>
    <message>
        <location filename="../add_source_dialog.py" line="65"/>
        <source>Guest</source>
        <translation>嘉宾</translation>
    </message>
    <message>
        <location filename="../add_source_dialog.py" line="66"/>
        <source>Colour</source>
        <translation>纯色</translation>
    </message>
    <message>
        <location filename="../add_source_dialog.py" line="67"/>
        <source>Test pattern</source>
        <translation>测试图案</translation>
    </message>
    <message>
        <location filename="../add_source_dialog.py" line="68"/>
        <source>Microphone</source>
        <translation>麦克风</translation>
    </message>
    <message>
        <location filename="../add_source_dialog.py" line="69"/>
        <source>Tone</source>
        <translation>测试音</translation>
    </message>
    <message>
        <location filename="../add_source_dialog.py" line="70"/>
        <source>Beep</source>
        <translation>提示音</translation>
    </message>
    <message>
        <location filename="../add_source_dialog.py" line="71"/>
        <source>Video&apos;s sound</source>
        <translation>视频原声</translation>
    </message>
</context>
<context>
    <name>SourcesPanel</name>
    <message>
        <location filename="../sources_panel.py" line="62"/>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <location filename="../sources_panel.py" line="62"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../sources_panel.py" line="79"/>
        <source>Double-click: properties. Right-click: rename, remove, add to the scene.</source>
        <translation>双击：属性。右键：重命名、删除、添加到场景。</translation>
    </message>
    <message>
        <location filename="../sources_panel.py" line="80"/>
        <location filename="../sources_panel.py" line="305"/>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../sources_panel.py" line="91"/>
        <source>Add a source</source>
        <translation>添加来源</translation>
    </message>
    <message>
        <location filename="../sources_panel.py" line="94"/>
        <source>Remove the selected source</source>
        <translation>删除所选来源</translation>
    </message>
    <message>
        <location filename="../sources_panel.py" line="95"/>
        <source>Properties of the selected source</source>
        <translation>所选来源的属性</translation>
    </message>
    <message>
        <location filename="../sources_panel.py" line="96"/>
        <source>Add the selected source to the current scene</source>
        <translation>将所选来源添加到当前场景</translation>
    </message>
    <message>
        <location filename="../sources_panel.py" line="188"/>
        <source>NO SIGNAL</source>
        <translation>无信号</translation>
    </message>
    <message>
        <location filename="../sources_panel.py" line="229"/>
        <source>Properties</source>
        <translation>属性</translation>
    </message>
    <message>
        <location filename="../sources_panel.py" line="252"/>
        <source>Rename source</source>
        <translation>重命名来源</translation>
    </message>
    <message>
        <location filename="../sources_panel.py" line="268"/>
        <source>Remove the audio input “{name}”?</source>
        <translation>删除音频输入“{name}”？</translation>
    </message>
    <message>
        <location filename="../sources_panel.py" line="270"/>
        <source>Remove “{name}”? Its layers in every scene go too.</source>
        <translation>删除“{name}”？它在所有场景中的图层也会一并删除。</translation>
    </message>
    <message>
        <location filename="../sources_panel.py" line="272"/>
        <location filename="../sources_panel.py" line="277"/>
        <source>Remove source</source>
        <translation>删除来源</translation>
    </message>
    <message>
        <location filename="../sources_panel.py" line="276"/>
        <source>Remove audio input</source>
        <translation>删除音频输入</translation>
    </message>
    <message>
        <location filename="../sources_panel.py" line="286"/>
        <location filename="../sources_panel.py" line="303"/>
        <source>Add to current scene</source>
        <translation>添加到当前场景</translation>
    </message>
    <message>
        <location filename="../sources_panel.py" line="286"/>
        <source>Choose a scene first.</source>
        <translation>请先选择场景。</translation>
    </message>
    <message>
        <location filename="../sources_panel.py" line="289"/>
        <source>Add to scene</source>
        <translation>添加到场景</translation>
    </message>
    <message>
        <location filename="../sources_panel.py" line="296"/>
        <source>Add</source>
        <translation>添加</translation>
    </message>
    <message>
        <location filename="../sources_panel.py" line="300"/>
        <source>Rename</source>
        <translation>重命名</translation>
    </message>
    <message>
        <location filename="../sources_panel.py" line="301"/>
        <source>Properties...</source>
        <translation>属性...</translation>
    </message>
</context>
<context>
    <name>SrtSettingsGroup</name>
    <message>
        <location filename="../srt_settings_group.py" line="89"/>
        <source>SRT</source>
        <translation>SRT</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="98"/>
        <source>Auto (from the measured round trip)</source>
        <translation>自动（按测得的往返时间）</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="101"/>
        <source>How long the receiver waits for a lost packet to be sent again. Longer survives worse links but delays the picture by as much. Auto: a few round trips, measured when the connection starts.</source>
        <translation>接收端等待丢失的数据包重传的时间。越长越能扛住差的网络，但画面也会延后同样的时间。自动：连接建立时测量往返时间，取其数倍。</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="106"/>
        <source>Latency:</source>
        <translation>延迟：</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="117"/>
        <source>Retransmission overhead:</source>
        <translation>重传预留带宽：</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="113"/>
        <source>No cap (best under loss)</source>
        <translation>不限（丢包时最佳）</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="115"/>
        <source>Caps SRT at the stream&apos;s bitrate plus this much, for retransmissions (libsrt&apos;s oheadbw).</source>
        <translation>把 SRT 限制在码流码率再加上这一比例，用于重传（libsrt 的 oheadbw）。</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="123"/>
        <source>Auto (the overhead&apos;s cap, or none)</source>
        <translation>自动（按重传预留封顶，或不限）</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="125"/>
        <source>A hard cap on what SRT sends, retransmissions included (libsrt&apos;s maxbw).</source>
        <translation>SRT 发送量的硬上限，包含重传（libsrt 的 maxbw）。</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="127"/>
        <source>Maximum bandwidth:</source>
        <translation>最大带宽：</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="132"/>
        <source>None (retransmission only)</source>
        <translation>无（仅重传）</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="133"/>
        <source>Rows of 10 packets (+10 %)</source>
        <translation>每行 10 个包（+10 %）</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="134"/>
        <source>10 x 5 matrix (+30 %)</source>
        <translation>10 x 5 矩阵（+30 %）</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="135"/>
        <source>10 x 5 staircase, smoother (+30 %)</source>
        <translation>10 x 5 阶梯排列，更平稳（+30 %）</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="136"/>
        <source>Custom...</source>
        <translation>自定义…</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="139"/>
        <source>Forward error correction (libsrt&apos;s packet filter): extra packets that rebuild a lost one without waiting for a retransmission. The receiver must accept FEC too.</source>
        <translation>前向纠错 FEC（libsrt 的包过滤器）：额外发送的校验包可以直接恢复丢失的包，无需等待重传。接收端也必须启用 FEC。</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="143"/>
        <source>Error correction (FEC):</source>
        <translation>前向纠错（FEC）：</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="145"/>
        <source>libsrt&apos;s packet filter, e.g. fec,cols:10,rows:5,layout:staircase</source>
        <translation>libsrt 包过滤器，例如 fec,cols:10,rows:5,layout:staircase</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="153"/>
        <source>Empty: no encryption; else {low} to {high} characters</source>
        <translation>留空：不加密；否则为 {low} 到 {high} 个字符</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="157"/>
        <location filename="../srt_settings_group.py" line="268"/>
        <source>Show</source>
        <translation>显示</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="162"/>
        <source>Passphrase (AES):</source>
        <translation>加密口令（AES）：</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="166"/>
        <source>{bits}-bit</source>
        <translation>{bits} 位</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="167"/>
        <source>Key length:</source>
        <translation>密钥长度：</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="171"/>
        <source>Caller: the studio connects to the server</source>
        <translation>主叫（Caller）：由本软件连接服务器</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="174"/>
        <source>For a platform&apos;s or a relay&apos;s SRT ingest: the URL names the server to connect to.</source>
        <translation>用于平台或中转服务器的 SRT 接入：地址即要连接的服务器。</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="177"/>
        <source>Listener: the studio waits for the receiver</source>
        <translation>监听（Listener）：本软件等待接收端连接</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="180"/>
        <source>The studio waits on the URL&apos;s port (srt://0.0.0.0:port) until the receiver connects to it.</source>
        <translation>本软件在地址中的端口（srt://0.0.0.0:端口）上等待，直到接收端连上来。</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="183"/>
        <source>Mode:</source>
        <translation>模式：</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="236"/>
        <source>SRT passphrase: use {low} to {high} characters, or leave it empty for no encryption</source>
        <translation>SRT 加密口令：需为 {low} 到 {high} 个字符，或留空表示不加密</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="244"/>
        <source>SRT error correction: expected libsrt&apos;s filter, such as fec,cols:10,rows:5</source>
        <translation>SRT 前向纠错：应为 libsrt 的过滤器配置，例如 fec,cols:10,rows:5</translation>
    </message>
    <message>
        <location filename="../srt_settings_group.py" line="268"/>
        <source>Hide</source>
        <translation>隐藏</translation>
    </message>
</context>
<context>
    <name>StudioStatusBar</name>
    <message>
        <location filename="../status_bar.py" line="53"/>
        <source>Program: starting</source>
        <translation>节目：启动中</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="56"/>
        <location filename="../status_bar.py" line="97"/>
        <source>REC off</source>
        <translation>未录制</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="76"/>
        <source>Program {fps:.1f} fps, dropped {dropped}, lagged {lagged}</source>
        <translation>节目 {fps:.1f} fps，丢帧 {dropped}，延迟 {lagged}</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="80"/>
        <source>CPU {percent:.0f}%</source>
        <translation>CPU {percent:.0f}%</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="85"/>
        <source>Encoding overloaded: {lag_ms} ms behind ({preset})</source>
        <translation>编码过载：落后 {lag_ms} 毫秒（{preset}）</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="94"/>
        <source>REC {time}</source>
        <translation>录制 {time}</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="98"/>
        <source>Disk {gb:.1f} GB free</source>
        <translation>磁盘剩余 {gb:.1f} GB</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="109"/>
        <source>RTT {rtt_ms:.0f} ms, {dropped} dropped</source>
        <translation>往返 {rtt_ms:.0f} ms，丢包 {dropped}</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="121"/>
        <source>RTT {rtt_ms:.0f} ms, latency {latency_ms} ms, {retransmitted} retransmitted, {dropped} dropped, send buffer {buffer_ms} ms, bandwidth estimate {bandwidth_kbps:.0f} kbps</source>
        <translation>往返 {rtt_ms:.0f} ms，延迟 {latency_ms} ms，重传 {retransmitted}，丢包 {dropped}，发送缓冲 {buffer_ms} ms，带宽估计 {bandwidth_kbps:.0f} kbps</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="140"/>
        <source>Guests {live}/{total} live</source>
        <translation>嘉宾 {live}/{total} 连麦中</translation>
    </message>
    <message>
        <location filename="../status_bar.py" line="142"/>
        <source>{lost} lost</source>
        <translation>{lost} 位掉线</translation>
    </message>
</context>
<context>
    <name>TransformDialog</name>
    <message>
        <location filename="../transform_dialog.py" line="42"/>
        <source>Transform: {source}</source>
        <translation>变换：{source}</translation>
    </message>
    <message>
        <location filename="../transform_dialog.py" line="47"/>
        <source>Position (x, y):</source>
        <translation>位置（x, y）：</translation>
    </message>
    <message>
        <location filename="../transform_dialog.py" line="49"/>
        <location filename="../transform_dialog.py" line="50"/>
        <source>canvas</source>
        <translation>画布</translation>
    </message>
    <message>
        <location filename="../transform_dialog.py" line="51"/>
        <source>Size (width, height):</source>
        <translation>尺寸（宽, 高）：</translation>
    </message>
    <message>
        <location filename="../transform_dialog.py" line="57"/>
        <source>Left</source>
        <translation>左</translation>
    </message>
    <message>
        <location filename="../transform_dialog.py" line="57"/>
        <source>Top</source>
        <translation>上</translation>
    </message>
    <message>
        <location filename="../transform_dialog.py" line="57"/>
        <source>Right</source>
        <translation>右</translation>
    </message>
    <message>
        <location filename="../transform_dialog.py" line="57"/>
        <source>Bottom</source>
        <translation>下</translation>
    </message>
    <message>
        <location filename="../transform_dialog.py" line="61"/>
        <source>Crop:</source>
        <translation>裁剪：</translation>
    </message>
    <message>
        <location filename="../transform_dialog.py" line="63"/>
        <source>Contain (whole picture)</source>
        <translation>适应（完整画面）</translation>
    </message>
    <message>
        <location filename="../transform_dialog.py" line="63"/>
        <source>Cover (fill, crop edges)</source>
        <translation>填充（铺满，裁掉边缘）</translation>
    </message>
    <message>
        <location filename="../transform_dialog.py" line="63"/>
        <source>Stretch</source>
        <translation>拉伸</translation>
    </message>
    <message>
        <location filename="../transform_dialog.py" line="65"/>
        <source>Fit:</source>
        <translation>缩放方式：</translation>
    </message>
    <message>
        <location filename="../transform_dialog.py" line="68"/>
        <source>{degrees}°</source>
        <translation>{degrees}°</translation>
    </message>
    <message>
        <location filename="../transform_dialog.py" line="69"/>
        <source>Rotation:</source>
        <translation>旋转：</translation>
    </message>
    <message>
        <location filename="../transform_dialog.py" line="70"/>
        <source>Mirror (flip left to right)</source>
        <translation>镜像（左右翻转）</translation>
    </message>
    <message>
        <location filename="../transform_dialog.py" line="74"/>
        <source>Opacity:</source>
        <translation>不透明度：</translation>
    </message>
    <message>
        <location filename="../transform_dialog.py" line="76"/>
        <source>Canvas: {width} x {height} pixels</source>
        <translation>画布：{width} x {height} 像素</translation>
    </message>
    <message>
        <location filename="../transform_dialog.py" line="86"/>
        <source>Fill canvas</source>
        <translation>铺满画布</translation>
    </message>
    <message>
        <location filename="../transform_dialog.py" line="87"/>
        <source>Position 0, 0 at the canvas size, no crop</source>
        <translation>位置 0, 0，尺寸与画布相同，不裁剪</translation>
    </message>
    <message>
        <location filename="../transform_dialog.py" line="150"/>
        <source>Transform</source>
        <translation>变换</translation>
    </message>
</context>
<context>
    <name>TransitionPanel</name>
    <message>
        <location filename="../panels.py" line="318"/>
        <location filename="../panels.py" line="326"/>
        <source>Cut</source>
        <translation>切换</translation>
    </message>
    <message>
        <location filename="../panels.py" line="319"/>
        <source>Auto</source>
        <translation>自动</translation>
    </message>
    <message>
        <location filename="../panels.py" line="327"/>
        <source>Mix</source>
        <translation>叠化</translation>
    </message>
    <message>
        <location filename="../panels.py" line="328"/>
        <source>Wipe</source>
        <translation>划像</translation>
    </message>
    <message>
        <location filename="../panels.py" line="329"/>
        <source>Dip to colour</source>
        <translation>闪色转场</translation>
    </message>
    <message>
        <location filename="../panels.py" line="336"/>
        <source> ms</source>
        <translation> 毫秒</translation>
    </message>
    <message>
        <location filename="../panels.py" line="337"/>
        <source>Transition</source>
        <translation>转场</translation>
    </message>
    <message>
        <location filename="../panels.py" line="339"/>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <location filename="../panels.py" line="345"/>
        <source>T-bar: drag to mix by hand; the end completes the transition</source>
        <translation>T 型推杆：拖动手动转场；推到底完成转场</translation>
    </message>
</context>
<context>
    <name>actions</name>
    <message>
        <location filename="../hotkeys.py" line="30"/>
        <source>Cut preview to program</source>
        <translation>预监切到节目</translation>
    </message>
    <message>
        <location filename="../hotkeys.py" line="31"/>
        <source>Auto transition</source>
        <translation>自动转场</translation>
    </message>
    <message>
        <location filename="../hotkeys.py" line="32"/>
        <source>Scene {n} to preview ({name})</source>
        <translation>场景 {n} 送预监（{name}）</translation>
    </message>
    <message>
        <location filename="../hotkeys.py" line="33"/>
        <source>Scene {n} to program ({name})</source>
        <translation>场景 {n} 切节目（{name}）</translation>
    </message>
    <message>
        <location filename="../hotkeys.py" line="34"/>
        <source>Product {n}: {title}</source>
        <translation>商品 {n}：{title}</translation>
    </message>
    <message>
        <location filename="../hotkeys.py" line="35"/>
        <source>Next product</source>
        <translation>下一个商品</translation>
    </message>
    <message>
        <location filename="../hotkeys.py" line="36"/>
        <source>Previous product</source>
        <translation>上一个商品</translation>
    </message>
    <message>
        <location filename="../hotkeys.py" line="37"/>
        <source>3-2-1 link run (current product)</source>
        <translation>3-2-1 上链接（当前商品）</translation>
    </message>
    <message>
        <location filename="../hotkeys.py" line="38"/>
        <source>Dismiss the product card</source>
        <translation>关闭商品卡片</translation>
    </message>
    <message>
        <location filename="../hotkeys.py" line="39"/>
        <source>Apply the current product&apos;s preset</source>
        <translation>应用当前商品的预设</translation>
    </message>
    <message>
        <location filename="../hotkeys.py" line="40"/>
        <source>Sold out on/off (current product)</source>
        <translation>售罄 开/关（当前商品）</translation>
    </message>
    <message>
        <location filename="../hotkeys.py" line="41"/>
        <source>Mute/unmute {name}</source>
        <translation>静音/取消静音 {name}</translation>
    </message>
    <message>
        <location filename="../hotkeys.py" line="42"/>
        <source>Start/stop streaming</source>
        <translation>开始/停止推流</translation>
    </message>
    <message>
        <location filename="../hotkeys.py" line="43"/>
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
